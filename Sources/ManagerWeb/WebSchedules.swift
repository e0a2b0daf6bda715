import ExupFormats
import Hummingbird
import Manager
import ManagerHTTP
import TUF
import WebForms

/// Remote batches (seed §3.5.3) as a list grouped by day, with create, edit and delete.
extension WebRoutes {
    func registerSchedules(on router: Router<ManagerRequestContext>) {
        router.get("/schedules") { request, _ in try await page(request) { visit in try await schedulesPage(visit) } }
        router.post("/schedules") { request, _ in
            try await action(request, .apply, back: "/schedules") { visit, form in
                let target = (form["target"] ?? "").trimming(" ")
                guard !target.isEmpty else { throw WebRefusal("name the server or group the batch is for") }
                let kind: Schedule.TargetKind = form["kind"] == "group" ? .group : .server
                let schedule = try await manager.schedules.createSchedule(
                    kind: kind, target: target, startAt: try Self.time(form["start"]),
                    allowReboot: form.flag("allow-reboot"), downloadFirst: form.flag("download-first"),
                    actor: visit.principal.name)
                return ("batch \(schedule.id) for \(kind.rawValue) \(target) at \(schedule.startAt) created", nil)
            }
        }
        router.post("/schedules/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await action(request, .apply, back: "/schedules") { visit, form in
                let start: Int64? = (form["start"] ?? "").isEmpty ? nil : try Self.time(form["start"])
                let schedule = try await manager.schedules.editSchedule(
                    id, startAt: start, allowReboot: form.flag("allow-reboot"),
                    downloadFirst: form.flag("download-first"), actor: visit.principal.name)
                return ("batch \(id) now starts at \(schedule.startAt)", nil)
            }
        }
        router.post("/schedules/:id/delete") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await action(request, .apply, back: "/schedules") { visit, _ in
                try await manager.schedules.deleteSchedule(id, actor: visit.principal.name)
                return ("batch \(id) deleted", nil)
            }
        }
    }

    /// A datetime-local value (UTC) as seconds.
    static func time(_ text: String?) throws -> Int64 {
        guard let text, !text.isEmpty else { throw WebRefusal("give the start time (UTC)") }
        let full = text.count == 16 ? text + ":00Z" : (text.hasSuffix("Z") ? text : text + "Z")
        guard let time = UTCTime(full) else { throw WebRefusal("the start time must be a UTC time like 2026-12-01T02:00, not \(text)") }
        return time.seconds
    }

    func schedulesPage(_ visit: Visit) async throws -> WebPage {
        let schedules = try await manager.schedules.schedules()
        let days = Dictionary(grouping: schedules) { String($0.startAt.prefix(10)) }.sorted { $0.key < $1.key }
        let sections = days.map { day, batches -> HTML in
            let rows = batches.map { batch -> HTML in
                var controls: HTML = .empty
                if visit.viewer.canApply && batch.state == .waiting {
                    controls = """
                        <form method="post" action="/schedules/\(batch.id)" class="inline">\(WebLayout.csrfField(visit.viewer))
                        <input type="datetime-local" name="start" value="\(String(batch.startAt.prefix(16)))" aria-label="New start of batch \(batch.id) (UTC)">
                        <label><input type="checkbox" name="allow-reboot"\(attribute: "checked", if: batch.allowReboot)> Allow reboot</label>
                        <label><input type="checkbox" name="download-first"\(attribute: "checked", if: batch.downloadFirst)> Download first</label>
                        <button type="submit" class="secondary">Save</button></form>
                        <form method="post" action="/schedules/\(batch.id)/delete" class="inline">\(WebLayout.csrfField(visit.viewer))
                        <button type="submit" class="danger" aria-label="Delete batch \(batch.id)">Delete</button></form>
                        """
                }
                return """
                    <tr><td>\(String(batch.startAt.dropFirst(11).prefix(5)))</td><td>\(batch.targetKind.rawValue) \(batch.target)</td>
                    <td>\(batch.allowReboot ? "reboot allowed" : "no reboot")\(batch.downloadFirst ? ", download first" : "")</td>
                    <td>\(batch.state.rawValue)\(batch.result.map { ": " + $0 } ?? "")</td><td>\(batch.createdBy)</td><td>\(controls)</td></tr>
                    """
            }
            return """
                <h2>\(day)</h2>
                <div class="scroll"><table><thead><tr><th>Time (UTC)</th><th>For</th><th>Options</th><th>State</th><th>By</th><th><span class="sr">Change</span></th></tr></thead>
                <tbody>\(rows)</tbody></table></div>
                """
        }
        let create: HTML =
            visit.viewer.canApply
            ? """
            <h2>New batch</h2>
            <form method="post" action="/schedules">\(WebLayout.csrfField(visit.viewer))
            <p><label for="kind">For a</label> <select id="kind" name="kind"><option value="server">server</option><option value="group">group</option></select>
            <label for="target">named</label> <input type="text" id="target" name="target" required>
            <label for="start">starting (UTC)</label> <input type="datetime-local" id="start" name="start" required></p>
            <p><label><input type="checkbox" name="allow-reboot"> Allow reboot</label> <label><input type="checkbox" name="download-first"> Download first</label></p>
            <p><button type="submit">Create the batch</button></p>
            </form>
            """ : .empty
        let body: HTML = """
            \(schedules.isEmpty ? "<p class=\"muted\">No remote batches.</p>" as HTML : HTML.join(sections))
            \(create)
            """
        return WebPage(title: "Schedules", body: body, section: "schedules")
    }
}
