import ApplicationLog
import ExupFormats
import Hummingbird
import ManagerHTTP
import Repository
import TUF

/// The application log (seed §3.7): filters by level, server, time range and text, newest first, paged.
extension WebRoutes {
    func registerLog(on router: Router<ManagerRequestContext>) {
        router.get("/log") { request, _ in try await page(request) { _ in try logPage(request) } }
    }

    func logPage(_ request: Request) throws -> WebPage {
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String { parameters.get(name).map { String($0) } ?? "" }
        let pageSize = 100
        let pageNumber = max(0, Int(text("page")) ?? 0)
        var query = AppLogQuery(limit: 5000)
        if let level = AppLogLevel(rawValue: text("level")) { query.level = level }
        if !text("server").isEmpty { query.server = text("server") }
        if !text("q").isEmpty { query.grep = text("q") }
        if let from = try? Self.time(text("from")) { query.since = from }
        let until = try? Self.time(text("until"))
        // The newest 5,000 that match (ids grow with time): enough pages for a person; narrow by time for older ones.
        if query.level == nil, query.server == nil, query.grep == nil, query.since == nil {
            query.afterID = max(0, (try repository.catalog.lastLogID()) - Int64(query.limit))
        }
        var entries = try repository.catalog.logEntries(query)
        if let until { entries = entries.filter { $0.time <= until } }
        entries.reverse()  // newest first
        let shown = entries.dropFirst(pageNumber * pageSize).prefix(pageSize)
        let rows = shown.map { entry -> HTML in
            """
            <tr class="\(entry.level)"><td>\(UTCTime(seconds: entry.time).description)</td><td>\(entry.level)</td><td>\(entry.code)</td>
            <td>\(entry.server ?? "")</td><td>\(entry.actor)</td><td>\(entry.text)</td></tr>
            """
        }
        let levels = [("", "Any"), ("info", "Information"), ("error", "Error")].map { value, label -> HTML in
            "<option value=\"\(value)\"\(attribute: "selected", if: text("level") == value)>\(label)</option>"
        }
        func link(_ page: Int) -> String {
            var parts: [String] = []
            for name in ["level", "server", "q", "from", "until"] where !text(name).isEmpty { parts.append("\(name)=\(Self.segment(text(name)))") }
            parts.append("page=\(page)")
            return "/log?" + parts.joined(separator: "&")
        }
        var pager: [HTML] = []
        if pageNumber > 0 { pager.append("<a href=\"\(link(pageNumber - 1))\" rel=\"prev\">Newer</a>") }
        if entries.count > (pageNumber + 1) * pageSize { pager.append("<a href=\"\(link(pageNumber + 1))\" rel=\"next\">Older</a>") }
        let body: HTML = """
            <form method="get" action="/log" role="search">
            <span class="field"><label for="level">Level</label> <select id="level" name="level">\(levels)</select></span>
            <span class="field"><label for="server">Server</label> <input type="text" id="server" name="server" value="\(text("server"))"></span>
            <span class="field"><label for="from">From (UTC)</label> <input type="datetime-local" id="from" name="from" value="\(text("from"))"></span>
            <span class="field"><label for="until">Until (UTC)</label> <input type="datetime-local" id="until" name="until" value="\(text("until"))"></span>
            <span class="field"><label for="q">Text</label> <input type="search" id="q" name="q" value="\(text("q"))"></span>
            <button type="submit" class="secondary">Filter</button>
            </form>
            <p>\(entries.count) entries\(entries.count == query.limit ? " (the first \(query.limit) matching; narrow the filter)" : "") · page \(pageNumber + 1)</p>
            <div class="scroll"><table id="log"><thead><tr><th>Time (UTC)</th><th>Level</th><th>Code</th><th>Server</th><th>By</th><th>Message</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <nav aria-label="Pages">\(HTML.join(pager, separator: " · "))</nav>
            """
        return WebPage(title: "Application log", body: body, section: "log")
    }
}
