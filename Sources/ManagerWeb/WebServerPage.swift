import ExupCore
import ExupSystem
import Hummingbird
import Manager
import ManagerHTTP
import WebForms

/// One server (the seed's ExpressUpdate screen, §3.5.1): its modules with the version picker, the run
/// with per-item and overall progress, Approve and Cancel, the Uninstall tab, the Save tab for
/// download-only packages with the Table 9 icon picker, and the agent's log bundle.
extension WebRoutes {
    func registerServer(on router: Router<ManagerRequestContext>) {
        router.get("/servers/:name") { request, context in
            let name = try context.parameters.decoded("name")
            return try await page(request) { visit in try await serverPage(name, request, visit) }
        }
        router.post("/servers/:name/approve") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/servers/\(Self.segment(name))") { visit, form in
                let picked = form.all("module")
                guard !picked.isEmpty else { throw WebRefusal("select at least one module to approve") }
                let choices = picked.map { module -> ModuleChoice in
                    let version = form["version:" + module].flatMap { $0.isEmpty ? nil : $0 }
                    return ModuleChoice(id: module, version: version)
                }
                let items = try await manager.approvals.approve(
                    name, modules: choices, options: try WebOptions.parse(form),
                    latestAtRunTime: form.flag("latest-at-run-time"), actor: visit.principal.name)
                return (
                    "approved \(items.count) item\(items.count == 1 ? "" : "s") for \(name): "
                        + items.map { "\($0.moduleID) \($0.version ?? "")" }.joined(separator: ", "), nil
                )
            }
        }
        router.post("/servers/:name/cancel") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/servers/\(Self.segment(name))") { visit, _ in
                let outcome = try await manager.approvals.cancel(name, actor: visit.principal.name)
                var text = "cancelled \(outcome.cancelled.count) item\(outcome.cancelled.count == 1 ? "" : "s") not yet started"
                if !outcome.refused.isEmpty {
                    text += "; could not cancel: " + outcome.refused.map { "\($0.module) (\($0.reason))" }.joined(separator: ", ")
                }
                return (text, nil)
            }
        }
        router.post("/servers/:name/uninstall") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/servers/\(Self.segment(name))?tab=uninstall") { visit, form in
                guard let module = form["module"], !module.isEmpty else { throw WebRefusal("choose the module to uninstall") }
                let item = try await manager.approvals.uninstall(
                    name, module: module, options: try WebOptions.parse(form), actor: visit.principal.name)
                return ("uninstall of \(item.moduleID) approved for \(name)", "/servers/\(Self.segment(name))")
            }
        }
        router.post("/servers/:name/icon") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/servers/\(Self.segment(name))?tab=save") { visit, form in
                guard let module = form["module"], let icon = ManualIcon(rawValue: form["icon"] ?? "") else {
                    throw WebRefusal("choose a module and an icon")
                }
                try await manager.statuses.setManualIcon(name, module: module, icon: icon, actor: visit.principal.name)
                return ("the icon of \(module) is now \(icon.status.autoEquivalent.label)", nil)
            }
        }
        router.post("/servers/:name/save") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/servers/\(Self.segment(name))?tab=save") { visit, form in
                try await save(name, visit, form)
            }
        }
        router.post("/servers/:name/logs/request") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/servers/\(Self.segment(name))") { visit, _ in
                try await manager.logBundles.requestLogs(name, actor: visit.principal.name)
                return ("log bundle requested: \(name)'s agent uploads it at its next poll", nil)
            }
        }
        router.get("/servers/:name/logs") { request, context in
            guard visit(request) != nil else { return Self.redirect("/login") }
            let name = try context.parameters.decoded("name")
            guard try await manager.statuses.isKnownAgent(name), LocalFile.exists(manager.logBundles.logBundlePath(name)) else {
                return Self.html(
                    WebLayout.render(
                        WebPage(title: "No log bundle", body: "<p>\(name) has not uploaded a log bundle yet.</p>"), viewer: visit(request)?.viewer),
                    status: .notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/gzip", .contentDisposition: "attachment; filename=\"logs.tar.gz\""],
                body: try await FileIO().loadFile(path: manager.logBundles.logBundlePath(name), context: context))
        }
    }

    /// The Save tab: an archive of the chosen modules' download-only packages, then (optionally) their icon.
    func save(_ name: String, _ visit: Visit, _ form: WebForm) async throws -> (String, String?) {
        let modules = form.all("module")
        guard !modules.isEmpty else { throw WebRefusal("select at least one download-only module to save") }
        var icon: ManualIcon?
        if let text = form["icon-after-save"], !text.isEmpty {
            guard visit.principal.allows(.apply) else { throw WebRefusal("changing the status icon needs the apply permission") }
            icon = ManualIcon(rawValue: text)
        }
        let ids = try await manager.statuses.downloadOnlyPackages(name, modules: modules, onlyDisplayedVersion: form["versions"] != "all")
        let actor = visit.principal.name, manager = manager
        var onDone: (@Sendable () async -> Void)?
        if let icon {
            onDone = { for module in modules { try? await manager.statuses.setManualIcon(name, module: module, icon: icon, actor: actor) } }
        }
        let status = try await exports.start(ids: ids, allVersions: false, actor: actor, onDone: onDone)
        return ("saving \(ids.count) package\(ids.count == 1 ? "" : "s") into an archive", "/exports/\(Self.segment(status.id))")
    }

    func serverPage(_ name: String, _ request: Request, _ visit: Visit) async throws -> WebPage {
        let detail = try await manager.statuses.server(name)
        let parameters = request.uri.queryParameters
        let tab = parameters.get("tab").map { String($0) } ?? "update"
        let allVersions = parameters.get("versions") == "all"
        let base = "/servers/\(Self.segment(name))"
        let tabs: HTML = """
            <nav class="tabs" aria-label="Server tabs">
            <a href="\(base)"\(HTML(raw: tab == "update" ? " aria-current=\"page\"" : ""))>Update</a>
            <a href="\(base)?tab=uninstall"\(HTML(raw: tab == "uninstall" ? " aria-current=\"page\"" : ""))>Uninstall</a>
            <a href="\(base)?tab=save"\(HTML(raw: tab == "save" ? " aria-current=\"page\"" : ""))>Save</a>
            </nav>
            """
        let content: HTML =
            switch tab {
            case "uninstall": uninstallTab(detail, visit)
            case "save": saveTab(detail, visit)
            default: updateTab(detail, visit, allVersions: allVersions)
            }
        let logs: HTML =
            visit.viewer.canApply
            ? """
            <form method="post" action="\(base)/logs/request" class="inline">\(WebLayout.csrfField(visit.viewer))
            <button type="submit" class="secondary">Request the agent's log bundle</button></form>
            """ : .empty
        let body: HTML = """
            <p><a href="/fleet">Fleet</a> › \(name)</p>
            <section id="server-status" data-live><p>\(WebLayout.status(detail.status.rawValue, detail.statusText))
            <span class="muted">· model \(detail.model ?? "unknown") · OS \(detail.os ?? "unknown") · last seen \(detail.lastSeen)</span></p></section>
            \(runSection(detail, visit))
            \(tabs)
            \(content)
            <h2>Agent logs</h2>
            <p><a href="\(base)/logs">Download the last log bundle</a></p>
            \(logs)
            """
        let running = detail.run.items.contains { $0.state.isOpen }
        return WebPage(title: "Server \(name)", body: body, refreshSeconds: running ? 3 : nil, section: "fleet")
    }

    /// An item's state in the words of the run table.
    static func stateLabel(_ state: ItemLifecycle) -> String {
        switch state {
        case .pending: "Waiting (not started)"
        case .downloading: "Downloading"
        case .started: "Running"
        case .succeeded: "Succeeded"
        case .failed: "Failed"
        case .cancelled: "Cancelled"
        case .rebootRequired: "Reboot required"
        }
    }

    func runSection(_ detail: ServerDetail, _ visit: Visit) -> HTML {
        guard !detail.run.items.isEmpty else {
            return "<section id=\"run\" data-live><h2>Current run</h2><p class=\"muted\">Nothing approved.</p></section>"
        }
        let rows = detail.run.items.map { item -> HTML in
            let progress: HTML = item.percent.map { WebLayout.progress($0, label: "Progress of \(item.module)") } ?? .empty
            return
                "<tr><td>\(item.module)</td><td>\(item.kind)</td><td>\(item.version ?? "—")</td><td>\(Self.stateLabel(item.state))</td><td>\(progress)</td><td>\(item.message ?? "")</td></tr>"
        }
        let cancel: HTML =
            visit.viewer.canApply
            ? """
            <form method="post" action="/servers/\(Self.segment(detail.name))/cancel">\(WebLayout.csrfField(visit.viewer))
            <button type="submit" class="danger">Cancel the items not started</button></form>
            """ : .empty
        return """
            <section id="run" data-live><h2>Current run</h2>
            <p>Overall: \(WebLayout.progress(detail.run.percent, label: "Overall progress"))</p>
            <div class="scroll"><table><thead><tr><th>Module</th><th>Kind</th><th>Version</th><th>State</th><th>Progress</th><th>Result</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(cancel)
            </section>
            """
    }

    func updateTab(_ detail: ServerDetail, _ visit: Visit, allVersions: Bool) -> HTML {
        let rows = detail.modules.map { module -> HTML in
            let versions = allVersions ? module.choicesAllVersions : module.choices
            let picker: HTML
            if versions.isEmpty {
                picker = "<span class=\"muted\">—</span>"
            } else {
                // The manager labels the previous generation "VERSION [*]"; the value sent is the version.
                let options = versions.map { label -> HTML in
                    "<option value=\"\(label.hasSuffix(" [*]") ? String(label.dropLast(4)) : label)\">\(label)</option>"
                }
                picker = "<select name=\"version:\(module.id)\" aria-label=\"Version of \(module.name)\">\(options)</select>"
            }
            let select: HTML =
                visit.viewer.canApply && !versions.isEmpty
                ? "<input type=\"checkbox\" name=\"module\" value=\"\(module.id)\" aria-label=\"Select \(module.name)\">" : .empty
            return """
                <tr><td>\(select)</td><td>\(module.name) <span class="muted">(\(module.id))</span></td><td>\(module.current ?? "not installed")</td>
                <td>\(WebLayout.status(module.status.rawValue, module.statusText))</td><td>\(picker)</td></tr>
                """
        }
        let toggle: HTML =
            allVersions
            ? "<p><a href=\"/servers/\(Self.segment(detail.name))\">Newest versions only (latest only)</a></p>"
            : "<p><a href=\"/servers/\(Self.segment(detail.name))?versions=all\">Show every version the rules allow (latest only off)</a></p>"
        let table: HTML = """
            <div class="scroll"><table id="modules" data-live><thead><tr><th><span class="sr">Select</span></th><th>Module</th><th>Current version</th><th>Status</th><th>Versions ([*] = previous generation)</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
        guard visit.viewer.canApply else { return "\(table)<p class=\"muted\">You can look; approving needs the apply permission.</p>" }
        let latestOnly: HTML =
            allVersions ? "<input type=\"hidden\" name=\"latest-only\" value=\"0\">" : "<input type=\"hidden\" name=\"latest-only\" value=\"on\">"
        return """
            <form method="post" action="/servers/\(Self.segment(detail.name))/approve">
            \(WebLayout.csrfField(visit.viewer))
            \(toggle)
            \(table)
            \(latestOnly)
            \(WebOptions.fieldset(prefix: "server", withLatestOnly: false))
            <p><button type="submit">Approve</button></p>
            </form>
            """
    }

    func uninstallTab(_ detail: ServerDetail, _ visit: Visit) -> HTML {
        let software = detail.modules.filter(\.uninstallable)
        guard !software.isEmpty else {
            return "<p class=\"muted\">No installed module here has a package in the repository that can uninstall it.</p>"
        }
        let rows = software.map { module -> HTML in
            "<tr><td>\(module.name)</td><td>\(module.current ?? "")</td><td>\(WebLayout.status(module.status.rawValue, module.statusText))</td></tr>"
        }
        let table: HTML =
            "<div class=\"scroll\"><table><thead><tr><th>Software</th><th>Version</th><th>Status</th></tr></thead><tbody>\(rows)</tbody></table></div>"
        guard visit.viewer.canApply else { return table }
        let options = software.map { module -> HTML in "<option value=\"\(module.id)\">\(module.name)</option>" }
        return """
            \(table)
            <form method="post" action="/servers/\(Self.segment(detail.name))/uninstall">
            \(WebLayout.csrfField(visit.viewer))
            <p><label for="uninstall-module">Uninstall</label> <select id="uninstall-module" name="module">\(options)</select></p>
            \(WebOptions.fieldset(prefix: "uninstall", withLatestOnly: false))
            <p><button type="submit" class="danger">Uninstall</button></p>
            </form>
            """
    }

    func saveTab(_ detail: ServerDetail, _ visit: Visit) -> HTML {
        let manual = detail.modules.filter { $0.status.rawValue.hasPrefix("manual-") }
        guard !manual.isEmpty else { return "<p class=\"muted\">No download-only packages apply to this server.</p>" }
        let rows = manual.map { module -> HTML in
            var icons: HTML = .empty
            if visit.viewer.canApply {
                let options = ManualIcon.allCases.map { icon -> HTML in
                    "<option value=\"\(icon.rawValue)\"\(attribute: "selected", if: icon.status == module.status)>\(icon.status.autoEquivalent.label)</option>"
                }
                icons = """
                    <form method="post" action="/servers/\(Self.segment(detail.name))/icon" class="inline">\(WebLayout.csrfField(visit.viewer))
                    <input type="hidden" name="module" value="\(module.id)"><select name="icon" aria-label="Status icon of \(module.name)">\(options)</select>
                    <button type="submit" class="secondary">Set icon</button></form>
                    """
            }
            return """
                <tr><td><input type="checkbox" name="module" value="\(module.id)" form="save-form" aria-label="Save \(module.name)"></td><td>\(module.name)</td>
                <td>\(module.current ?? "—")</td><td>\(module.available ?? "—")</td><td>\(WebLayout.status(module.status.rawValue, "icon"))\(icons)</td></tr>
                """
        }
        let iconAfter: HTML =
            visit.viewer.canApply
            ? """
            <label for="icon-after-save">Then set the icon to</label> <select id="icon-after-save" name="icon-after-save"><option value="">(leave it)</option>
            \(ManualIcon.allCases.map { icon -> HTML in "<option value=\"\(icon.rawValue)\">\(icon.status.autoEquivalent.label)</option>" })</select>
            """ : .empty
        return """
            <div class="scroll"><table><thead><tr><th><span class="sr">Select</span></th><th>Module</th><th>Current</th><th>Available</th><th>Status icon</th></tr></thead><tbody>\(rows)</tbody></table></div>
            <form method="post" action="/servers/\(Self.segment(detail.name))/save" id="save-form">
            \(WebLayout.csrfField(visit.viewer))
            <fieldset><legend>Save</legend>
            <label><input type="radio" name="versions" value="displayed" checked> Only the displayed version</label>
            <label><input type="radio" name="versions" value="all"> Every version held</label>
            \(iconAfter)
            </fieldset>
            <p><button type="submit">Save into an archive</button></p>
            </form>
            """
    }
}
