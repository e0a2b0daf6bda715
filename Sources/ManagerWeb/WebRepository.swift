import ExupCore
import ExupFormats
import ExupSystem
import Hummingbird
import ManagerHTTP
import Repository
import TUF
import Transport

#if canImport(Glibc)
    import Glibc
    import WebForms
#endif

/// The repository (seed §3.4.1–§3.4.4): packages by component or by model with Table 20's indicators,
/// add by upload (both modes, a result per file), delete (normal or force), the deletion history, export
/// archives, the upstream sync, the settings in force, and the managers sharing it.
extension WebRoutes {
    func registerRepository(on router: Router<ManagerRequestContext>) {
        router.get("/repository") { request, _ in try await page(request) { visit in try await repositoryPage(request, visit) } }
        router.post("/repository/add") { request, _ in try await upload(request) }
        router.post("/repository/delete") { request, _ in
            try await action(request, .administer, back: "/repository") { visit, form in
                let ids = form.all("package")
                guard !ids.isEmpty else { throw WebRefusal("select the packages to delete") }
                if let remote { throw WebRefusal("this manager uses the repository of \(remote.settings.url): delete packages there") }
                let results = try await repository.delete(ids: ids, force: form["how"] == "force", actor: visit.principal.name)
                return (results.map { "\($0.packageID): \($0.result == .normal ? "deleted" : $0.message)" }.joined(separator: "; "), nil)
            }
        }
        router.post("/repository/deletion-history/clear") { request, _ in
            try await action(request, .administer, back: "/repository") { visit, _ in
                ("deletion history cleared (\(try await repository.clearDeletionHistory(actor: visit.principal.name)) entries)", nil)
            }
        }
        router.post("/repository/export") { request, _ in
            try await action(request, .apply, back: "/repository") { visit, form in
                let ids = form.all("package")
                guard !ids.isEmpty else { throw WebRefusal("select the packages to export") }
                let status = try await exports.start(ids: ids, allVersions: form.flag("all-versions"), actor: visit.principal.name)
                return ("exporting \(ids.count) package\(ids.count == 1 ? "" : "s")", "/exports/\(Self.segment(status.id))")
            }
        }
        router.get("/exports/:id") { request, context in
            let id = try context.parameters.decoded("id")
            return try await page(request) { visit in
                guard visit.viewer.canApply else {
                    throw WebRefusal("archives need \(Permission.apply.wording); \(visit.viewer.name) has the role \(visit.viewer.role)")
                }
                return try await exportPage(id)
            }
        }
        router.get("/exports/:id/archive") { request, context in
            guard let visit = visit(request) else { return Self.redirect("/login") }
            guard visit.viewer.canApply else {
                return forbidden(visit, "archives need \(Permission.apply.wording); \(visit.viewer.name) has the role \(visit.viewer.role)")
            }
            let id = try context.parameters.decoded("id")
            guard let path = await exports.archive(id) else { return Self.html("<p>That archive is not ready.</p>", status: .notFound) }
            return Response(
                status: .ok, headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"exup-archive-\(id).zip\""],
                body: try await FileIO().loadFile(path: path, context: context))
        }
        router.post("/repository/sync") { request, _ in
            try await action(request, .apply, back: "/repository") { visit, _ in
                guard let sync else { throw WebRefusal("no upstream is configured ([repository.upstream] url in manager.toml)") }
                guard sync.start(actor: visit.principal.name) != nil else { throw WebRefusal("a repository update is already running") }
                return ("repository update started", nil)
            }
        }
        router.post("/repository/sync/cancel") { request, _ in
            try await action(request, .apply, back: "/repository") { visit, _ in
                guard let sync, try sync.cancel(actor: visit.principal.name) else { throw WebRefusal("no repository update is running") }
                return ("cancelling the repository update", nil)
            }
        }
    }

    /// The upload: a multipart form of package files, stored to disk first, each added on its own. The
    /// session, its permission and the CSRF token (in the action's query, since the form's own field comes
    /// inside the body) are checked before a byte of the body is read.
    func upload(_ request: Request) async throws -> Response {
        guard let visit = visit(request) else { return Self.redirect("/login") }
        guard let csrf = request.uri.queryParameters.get("csrf"), WebSession.isGenuine(csrf: String(csrf), token: visit.token) else {
            return forbidden(
                visit, "this upload did not come from a page of this session (a missing or wrong CSRF token): reload the page and try again")
        }
        guard visit.principal.allows(.administer) else {
            return forbidden(visit, "this needs \(Permission.administer.wording); \(visit.viewer.name) has the role \(visit.viewer.role)")
        }
        if let remote {
            return forbidden(visit, "this manager uses the repository of \(remote.settings.url): add packages there", status: .conflict)
        }
        guard let boundary = request.headers[.contentType].flatMap(MultipartFile.boundary) else {
            return forbidden(visit, "the upload must be sent as multipart/form-data", status: .badRequest)
        }
        let body = repository.pool.incomingPath()
        do { _ = try await BodyFile.receive(request, to: body, limit: maxUploadBytes, what: "upload") } catch {
            return forbidden(visit, Self.describe(error), status: .contentTooLarge)
        }
        defer { unlink(body) }
        var files: [(name: String, path: String)] = []
        let form: WebForm
        do {
            form = try MultipartFile.parse(path: body, boundary: boundary) { name, bytes in
                let path = repository.pool.incomingPath()
                try LocalFile.writeAtomically(bytes, to: path, mode: 0o600)
                files.append((name.isEmpty ? "upload.zip" : String(name.prefix(255)), path))
            }
        } catch {
            for file in files { unlink(file.path) }
            return forbidden(visit, "the upload could not be read: \(error)", status: .badRequest)
        }
        // Files the adds did not take (a refused form, an error half-way) are removed; add removes its own.
        defer { for file in files { unlink(file.path) } }
        return try await perform(visit, form: form, .administer, back: "/repository") { visit, form in
            if let remote { throw WebRefusal("this manager uses the repository of \(remote.settings.url): add packages there") }
            guard !files.isEmpty else { throw WebRefusal("choose at least one package file") }
            let mode: AddMode = form["mode"] == "all" ? .all : .needed
            var lines: [String] = []
            for file in files {
                let result = await repository.add(file: file.path, name: file.name, mode: mode, actor: visit.principal.name)
                lines.append("\(file.name): \(result.code == .added ? "added" : result.message)")
            }
            return (lines.joined(separator: "; "), nil)
        }
    }

    func repositoryPage(_ request: Request, _ visit: Visit) async throws -> WebPage {
        let byModel = request.uri.queryParameters.get("view") == "model"
        let packages = try await repository.list(actor: visit.principal.name)
        var groups: [String: [PackageListing]] = [:]
        for package in packages {
            if byModel {
                for target in package.targets { groups["\(target.model) · \(target.os)", default: []].append(package) }
            } else {
                groups["\(package.moduleName) (\(package.module))", default: []].append(package)
            }
        }
        let admin = visit.viewer.canAdminister
        let sections = groups.sorted { $0.key < $1.key }.map { key, list -> HTML in
            let rows = list.sorted { $0.releaseDate > $1.releaseDate }.map { package -> HTML in
                """
                <tr><td><input type="checkbox" name="package" value="\(package.id)" aria-label="Select \(package.id)"></td>
                <td>\(package.name)<br><span class="muted">\(package.id)</span></td><td>\(package.version)</td><td>\(package.releaseDate)</td>
                <td>\(Self.indicators(package.indicators))</td><td class="hide-narrow">\(package.size) bytes</td></tr>
                """
            }
            return """
                <h3>\(key)</h3>
                <div class="scroll"><table><thead><tr><th><span class="sr">Select</span></th><th>Package</th><th>Version</th><th>Released</th><th>Indicators</th><th class="hide-narrow">Size</th></tr></thead>
                <tbody>\(rows)</tbody></table></div>
                """
        }
        let deleteControls: HTML =
            admin
            ? """
            <fieldset><legend>Delete the selected packages</legend>
            <label><input type="radio" name="how" value="normal" checked> Normal (refused while another manager uses one)</label>
            <label><input type="radio" name="how" value="force"> Force</label>
            <button type="submit" formaction="/repository/delete" class="danger">Delete</button></fieldset>
            """ : .empty
        let exportControls: HTML =
            visit.viewer.canApply
            ? """
            <fieldset><legend>Export the selected packages</legend>
            <label><input type="checkbox" name="all-versions"> Every version held</label>
            <button type="submit" class="secondary">Export an archive</button></fieldset>
            """ : .empty
        let listing: HTML =
            packages.isEmpty
            ? "<p class=\"muted\">The repository holds no packages.</p>"
            : """
            <form method="post" action="/repository/export">\(WebLayout.csrfField(visit.viewer))
            \(HTML.join(sections))
            \(exportControls)
            \(deleteControls)
            </form>
            """
        let add: HTML =
            admin && remote == nil
            ? """
            <h2>Add packages</h2>
            <form method="post" action="/repository/add?csrf=\(visit.viewer.csrf)" enctype="multipart/form-data">\(WebLayout.csrfField(visit.viewer))
            <p><label for="files">Package files</label> <input type="file" id="files" name="files" multiple accept=".zip" required></p>
            <p><label><input type="radio" name="mode" value="needed" checked> Only what served models need (generation managed)</label>
            <label><input type="radio" name="mode" value="all"> Every valid package (kept until deleted by hand)</label></p>
            <p><button type="submit">Add</button></p>
            </form>
            """ : .empty
        let history = try await repository.deletionHistory()
        let clear: HTML =
            admin && !history.isEmpty
            ? """
            <form method="post" action="/repository/deletion-history/clear">\(WebLayout.csrfField(visit.viewer))
            <button type="submit" class="secondary">Clear the deletion history</button></form>
            """ : .empty
        let body: HTML = """
            <nav class="tabs" aria-label="Repository views">
            <a href="/repository"\(HTML(raw: byModel ? "" : " aria-current=\"page\""))>By component</a>
            <a href="/repository?view=model"\(HTML(raw: byModel ? " aria-current=\"page\"" : ""))>By model</a>
            </nav>
            \(listing)
            \(add)
            <h2>Deletion history</h2>
            <p>\(history.isEmpty ? "Empty." : history.joined(separator: ", "))</p>
            \(clear)
            \(syncSection(visit))
            \(try remoteManagersSection())
            """
        let running = sync?.status.state == .running
        return WebPage(title: "Repository", body: body, refreshSeconds: running ? 3 : nil, section: "repository")
    }

    static func indicators(_ indicators: PackageListing.Indicators) -> HTML {
        var words: [String] = []
        if !indicators.autoUpdate { words.append("download only") }
        if indicators.noDowngrade { words.append("no downgrade") }
        if indicators.multiModel { words.append("multi-model") }
        if indicators.inUseByAnotherManager { words.append("in use by another manager") }
        if indicators.incompatible { words.append("incompatible") }
        if indicators.pinned { words.append("added with all") }
        if indicators.untrustedSigner { words.append("signer not trusted: not offered") }
        return HTML(stringLiteral: words.isEmpty ? "—" : "").appending(words.joined(separator: ", "))
    }

    func syncSection(_ visit: Visit) -> HTML {
        guard let sync else {
            let remoteLine: HTML =
                remote.map { "<p>This manager uses the repository of \($0.settings.url).</p>" }
                ?? "<p class=\"muted\">No upstream is configured ([repository.upstream] in manager.toml).</p>"
            return "<h2>Upstream</h2>\(remoteLine)<p><a href=\"/settings\">Repository settings</a> (initial status icon, repository password)</p>"
        }
        let status = sync.status
        let settings = sync.settings
        let progress: HTML =
            status.state == .running
            ? "<p>\(status.phase) — \(WebLayout.progress(status.packagesTotal == 0 ? 0 : status.packagesDone * 100 / status.packagesTotal, label: "Repository update progress"))</p>"
            : .empty
        var controls: HTML = .empty
        if visit.viewer.canApply {
            controls =
                status.state == .running
                ? """
                <form method="post" action="/repository/sync/cancel">\(WebLayout.csrfField(visit.viewer))<button type="submit" class="danger">Cancel the update</button></form>
                """
                : """
                <form method="post" action="/repository/sync">\(WebLayout.csrfField(visit.viewer))<button type="submit">Update now</button></form>
                """
        }
        let proxy: String = settings.proxy.map { "\($0.host):\($0.port)" + ($0.username.map { " as \($0)" } ?? "") } ?? "none"
        let schedule: String =
            settings.schedule.map {
                "every \($0.intervalHours) h from \($0.minuteOfDay / 60):\($0.minuteOfDay % 60 < 10 ? "0" : "")\($0.minuteOfDay % 60) UTC"
            } ?? "by hand only"
        return """
            <h2>Upstream</h2>
            <section id="sync" data-live>
            <p>From \(settings.url) · schedule: \(schedule) · proxy: \(proxy)</p>
            <p>Last run: \(status.state.rawValue)\(status.finishedAt.map { " at " + $0 } ?? "")\(status.added.isEmpty ? "" : " · added " + status.added.joined(separator: ", "))\(status.refused.isEmpty ? "" : " · refused " + status.refused.joined(separator: "; "))</p>
            \(progress)
            </section>
            \(controls)
            <p><a href="/settings">Repository settings</a> (schedule, proxy, initial status icon, repository password)</p>
            """
    }

    func remoteManagersSection() throws -> HTML {
        let managers = try repository.catalog.remoteManagers()
        guard !managers.isEmpty else { return "<h2>Managers sharing this repository</h2><p class=\"muted\">None.</p>" }
        let rows = managers.map { manager -> HTML in
            "<tr><td>\(manager.manager)</td><td>\(manager.version)</td><td>\(UTCTime(seconds: manager.lastSeen).description)</td></tr>"
        }
        return """
            <h2>Managers sharing this repository</h2>
            <div class="scroll"><table><thead><tr><th>Manager</th><th>exup version</th><th>Last presence</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
    }

    func exportPage(_ id: String) async throws -> WebPage {
        guard let status = await exports.status(id) else { throw WebRefusal("no export \(id)") }
        let body: HTML
        switch status.state {
        case .done:
            body =
                "<section id=\"export\" data-live><p>Ready: <a href=\"/exports/\(Self.segment(id))/archive\">download the archive</a> (\(status.total) packages).</p></section>"
        case .running:
            body =
                "<section id=\"export\" data-live><p>\(WebLayout.progress(status.total == 0 ? 0 : status.done * 100 / status.total, label: "Export progress"))</p></section>"
        case .failed, .cancelled:
            body =
                "<section id=\"export\" data-live><p class=\"flash error\">The export \(status.state.rawValue): \(status.error ?? "")</p></section>"
        }
        return WebPage(title: "Export \(id)", body: body, refreshSeconds: status.state == .running ? 2 : nil, section: "repository")
    }
}

extension HTML {
    func appending(_ text: String) -> HTML { HTML(raw: self.text + HTML.escape(text)) }
}
