import ExupCore
import ExupFormats
import Hummingbird
import Manager
import ManagerHTTP
import TUF
import WebForms

/// The fleet (seed §3.4, Table 10 icons, Table 21 filters) and the group pages with group apply (§3.5.2).
extension WebRoutes {
    func registerFleet(on router: Router<ManagerRequestContext>) {
        router.get("/fleet") { request, _ in try await page(request) { visit in try await fleetPage(request, visit) } }
        router.get("/groups/:name") { request, context in
            let name = try context.parameters.decoded("name")
            return try await page(request) { visit in try await groupPage(name, request, visit) }
        }
        router.post("/groups/:name/approve") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/groups/\(Self.segment(name))") { visit, form in
                let filter = GroupFilter(rawValue: form["filter"] ?? "") ?? .updateAvailable
                let modules = form.all("module").filter { !$0.isEmpty }.map { ModuleChoice(id: $0, version: nil) }
                let results = try await manager.groups.approveGroup(
                    name, filter: filter, modules: modules.isEmpty ? nil : modules,
                    options: try WebOptions.parse(form), latestAtRunTime: form.flag("latest-at-run-time"),
                    actor: visit.principal.name)
                return (Self.summary(results, verb: "approved"), nil)
            }
        }
        router.post("/groups/:name/uninstall") { request, context in
            let name = try context.parameters.decoded("name")
            return try await action(request, .apply, back: "/groups/\(Self.segment(name))") { visit, form in
                guard let module = form["module"], !module.isEmpty else { throw WebRefusal("choose the module to uninstall") }
                let results = try await manager.groups.uninstallGroup(
                    name, module: module, options: try WebOptions.parse(form), actor: visit.principal.name)
                return (Self.summary(results, verb: "uninstall approved"), nil)
            }
        }
    }

    static func summary(_ results: [GroupApprovalResult], verb: String) -> String {
        let done = results.filter { $0.refused == nil }
        var text = "\(verb) on \(done.count) of \(results.count) servers (\(done.reduce(0) { $0 + $1.items.count }) items)"
        let refused = results.compactMap { result in result.refused.map { "\(result.server): \($0)" } }
        if !refused.isEmpty { text += "; refused: " + refused.joined(separator: "; ") }
        return text
    }

    func fleetPage(_ request: Request, _ visit: Visit) async throws -> WebPage {
        let parameters = request.uri.queryParameters
        let filter = parameters.get("filter").flatMap { GroupFilter(rawValue: String($0)) } ?? .all
        let search = parameters.get("q").map { String($0) } ?? ""
        let servers = try await manager.statuses.serverDetails()
        var counts: [ServerStatus: (String, Int)] = [:]
        for server in servers { counts[server.status, default: (server.statusText, 0)].1 += 1 }
        let needle = search.lowercased()
        let shown = servers.filter { server in
            guard needle.isEmpty || server.name.lowercased().contains(needle) else { return false }
            return filter.matches(
                server: server.status, modules: server.modules.map(\.status))
        }
        let running = servers.contains { $0.status == .applying || $0.status == .uninstalling }

        let countItems = ServerStatus.allCases.compactMap { status -> HTML? in
            guard let (text, count) = counts[status] else { return nil }
            return "<li>\(WebLayout.status(status.rawValue, text)): <strong>\(count)</strong></li>"
        }
        let groups = try await manager.groups.groupNames()
        var groupRows: [HTML] = []
        for name in groups {
            let view = try await manager.groups.group(name)
            let summary = view.counts.sorted { $0.key < $1.key }.map { "\($0.value) \(ServerStatus(rawValue: $0.key)?.label ?? $0.key)" }.joined(
                separator: ", ")
            let progress: HTML = view.percent.map { WebLayout.progress($0, label: "Progress of group \(name)") } ?? .empty
            groupRows.append("<tr><td><a href=\"/groups/\(Self.segment(name))\">\(name)</a></td><td>\(summary)</td><td>\(progress)</td></tr>")
        }
        let groupsTable: HTML =
            groups.isEmpty
            ? "<p class=\"muted\">No groups yet (exup groups create NAME).</p>"
            : "<div class=\"scroll\"><table id=\"groups\" data-live><thead><tr><th>Group</th><th>Servers</th><th>Progress</th></tr></thead><tbody>\(groupRows)</tbody></table></div>"
        // 200 a page: a fleet of thousands stays a page a browser renders at once.
        let pageSize = 200
        let pageCount = max(1, (shown.count + pageSize - 1) / pageSize)
        let pageNumber = min(max(0, parameters.get("page", as: Int.self) ?? 0), pageCount - 1)
        func link(_ page: Int) -> String { "/fleet?q=\(Self.segment(search))&filter=\(filter.rawValue)&page=\(page)" }
        var pager: [HTML] = []
        if pageNumber > 0 { pager.append("<a href=\"\(link(pageNumber - 1))\" rel=\"prev\">Previous</a>") }
        if pageCount > 1 { pager.append("page \(pageNumber + 1) of \(pageCount)") }
        if pageNumber + 1 < pageCount { pager.append("<a href=\"\(link(pageNumber + 1))\" rel=\"next\">Next</a>") }
        let rows = shown.dropFirst(pageNumber * pageSize).prefix(pageSize).map { server -> HTML in
            """
            <tr><td><a href="/servers/\(Self.segment(server.name))">\(server.name)</a></td>
            <td>\(WebLayout.status(server.status.rawValue, server.statusText))</td>
            <td class="hide-narrow">\(server.model ?? "—")</td><td class="hide-narrow">\(server.os ?? "—")</td><td class="hide-narrow">\(server.lastSeen)</td></tr>
            """
        }
        let filterOptions = GroupFilter.allCases.map { option -> HTML in
            "<option value=\"\(option.rawValue)\"\(attribute: "selected", if: option == filter)>\(Self.filterLabel(option))</option>"
        }
        let body: HTML = """
            <section id="fleet-counts" data-live aria-label="Servers by status"><ul class="counts">\(countItems)</ul></section>
            <form method="get" action="/fleet" role="search">
            <span class="field"><label for="q">Search by name</label> <input type="search" id="q" name="q" value="\(search)"></span>
            <span class="field"><label for="filter">Show</label> <select id="filter" name="filter">\(filterOptions)</select></span>
            <button type="submit" class="secondary">Apply filter</button>
            </form>
            <h2>Groups</h2>
            \(groupsTable)
            <h2>Servers (\(shown.count) of \(servers.count))</h2>
            <div class="scroll"><table id="servers" data-live><thead><tr><th>Server</th><th>Status</th><th class="hide-narrow">Model</th><th class="hide-narrow">OS</th><th class="hide-narrow">Last seen</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <nav aria-label="Pages of servers">\(HTML.join(pager, separator: " · "))</nav>
            """
        return WebPage(title: "Fleet", body: body, refreshSeconds: running ? 3 : nil, section: "fleet")
    }

    static func filterLabel(_ filter: GroupFilter) -> String {
        switch filter {
        case .all: "All servers"
        case .latest: "Latest"
        case .updateAvailable: "Update available"
        case .applying: "Applying"
        case .rebootRequired: "Reboot required"
        case .applyFailed: "Apply failed"
        case .uninstalling: "Uninstalling"
        }
    }

    func groupPage(_ name: String, _ request: Request, _ visit: Visit) async throws -> WebPage {
        let filter = request.uri.queryParameters.get("filter").flatMap { GroupFilter(rawValue: String($0)) } ?? .all
        let view = try await manager.groups.group(name, filter: filter)
        let rows = view.servers.map { member -> HTML in
            let progress: HTML = member.percent.map { WebLayout.progress($0, label: "Progress of \(member.name)") } ?? .empty
            return
                "<tr><td><a href=\"/servers/\(Self.segment(member.name))\">\(member.name)</a></td><td>\(WebLayout.status(member.status.rawValue, member.statusText))</td><td>\(progress)</td></tr>"
        }
        let filterOptions = GroupFilter.allCases.map { option -> HTML in
            "<option value=\"\(option.rawValue)\"\(attribute: "selected", if: option == filter)>\(Self.filterLabel(option))</option>"
        }
        let overall: HTML = view.percent.map { "<p>Overall: \(WebLayout.progress($0, label: "Overall progress of group \(name)"))</p>" } ?? .empty
        var controls: HTML = .empty
        if visit.viewer.canApply {
            let applyFilters = GroupFilter.allCases.map { option -> HTML in
                "<option value=\"\(option.rawValue)\"\(attribute: "selected", if: option == .updateAvailable)>\(Self.filterLabel(option))</option>"
            }
            controls = """
                <h2>Apply to the group</h2>
                <form method="post" action="/groups/\(Self.segment(name))/approve">
                \(WebLayout.csrfField(visit.viewer))
                <p><label for="apply-filter">Servers</label> <select id="apply-filter" name="filter">\(applyFilters)</select>
                <label for="apply-module">Module (empty: every module with an update)</label> <input type="text" id="apply-module" name="module"></p>
                \(WebOptions.fieldset(prefix: "group"))
                <p><button type="submit">Approve for the group</button></p>
                </form>
                <h2>Uninstall on the group</h2>
                <form method="post" action="/groups/\(Self.segment(name))/uninstall">
                \(WebLayout.csrfField(visit.viewer))
                <p><label for="uninstall-module">Module</label> <input type="text" id="uninstall-module" name="module" required placeholder="package:NAME"></p>
                <p><button type="submit" class="danger">Uninstall on every member</button></p>
                </form>
                """
        }
        let body: HTML = """
            <p><a href="/fleet">Fleet</a> › group \(name)</p>
            <section id="group-progress" data-live>\(overall)</section>
            <form method="get" action="/groups/\(Self.segment(name))"><label for="filter">Show</label> <select id="filter" name="filter">\(filterOptions)</select>
            <button type="submit" class="secondary">Apply filter</button></form>
            <div class="scroll"><table id="members" data-live><thead><tr><th>Server</th><th>Status</th><th>Progress</th></tr></thead><tbody>\(rows)</tbody></table></div>
            \(controls)
            """
        return WebPage(title: "Group \(name)", body: body, refreshSeconds: view.percent == nil ? nil : 3, section: "fleet")
    }
}

/// The options of an approval (seed §3.5.1 step 7), as form fields and back.
enum WebOptions {
    static func fieldset(prefix: String, withLatestOnly: Bool = true) -> HTML {
        let latest: HTML = withLatestOnly ? "<label><input type=\"checkbox\" name=\"latest-only\" checked> Latest only</label>" : .empty
        return """
            <fieldset><legend>Options</legend>
            <label><input type="checkbox" name="allow-reboot"> Allow reboot</label>
            \(latest)
            <label><input type="checkbox" name="download-first"> Download first</label>
            <label><input type="checkbox" name="override-health-gate"> Override the health gate</label>
            <br><label for="\(prefix)-not-before">Not before (UTC)</label> <input type="datetime-local" id="\(prefix)-not-before" name="not-before">
            <label for="\(prefix)-lost">On lost contact</label> <select id="\(prefix)-lost" name="on-lost-contact">
            <option value="stop" selected>Stop (finish the running item)</option><option value="continue">Continue</option></select>
            </fieldset>
            """
    }

    static func parse(_ form: WebForm) throws -> ApprovalOptions {
        var notBefore: Int64?
        if let text = form["not-before"], !text.isEmpty {
            let full = text.count == 16 ? text + ":00Z" : (text.hasSuffix("Z") ? text : text + "Z")
            guard let time = UTCTime(full) else { throw WebRefusal("not-before must be a UTC time like 2026-12-01T02:00") }
            notBefore = time.seconds
        }
        let lost = ApprovalOptions.OnLostContact(rawValue: form["on-lost-contact"] ?? "stop") ?? .stop
        return ApprovalOptions(
            allowReboot: form.flag("allow-reboot"), latestOnly: form.flag("latest-only"), notBefore: notBefore,
            downloadFirst: form.flag("download-first"), onLostContact: lost, overrideHealthGate: form.flag("override-health-gate"))
    }
}
