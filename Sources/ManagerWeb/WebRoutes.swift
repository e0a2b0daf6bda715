import ExupCore
import HTTPTypes
import Hummingbird
import Manager
import ManagerHTTP
import Repository

#if canImport(Glibc)
    import Glibc
    import WebForms
#endif

/// The manager's pages (seed §1.5, §3.4–§3.7): rendered here, with the same permissions as the API —
/// controls a user may not use are not shown, and the server refuses them anyway. Every form posts
/// with a CSRF token and answers with a redirect (so reloading never repeats an action) carrying a
/// message for the next page.
package struct WebRoutes: Sendable {
    let manager: ManagerService
    let repository: RepositoryService
    let exports: ExportJobs
    let sync: UpstreamSync?
    let remote: RemoteRepository?
    let editor: RepositorySettingsEditor
    let session: WebSession
    let flash: WebFlash
    let maxUploadBytes: Int64

    /// What a page handler gets: who asks, and their session.
    struct Visit: Sendable {
        var principal: Principal
        var token: String
        var viewer: WebViewer
    }

    package func register(on router: Router<ManagerRequestContext>) {
        router.get("/") { request, _ in
            Self.redirect(session.user(request) == nil ? "/login" : "/fleet")
        }
        router.get("/static/exup.css") { _, _ in Self.asset(WebLayout.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/static/exup.js") { _, _ in Self.asset(WebLayout.script, type: "text/javascript; charset=utf-8") }
        registerLogin(on: router)
        registerFleet(on: router)
        registerServer(on: router)
        registerSchedules(on: router)
        registerRepository(on: router)
        registerSettings(on: router)
        registerLog(on: router)
    }

    // MARK: - Visits

    /// A GET page: the visitor, or a redirect to the login page.
    func page(_ request: Request, _ render: (Visit) async throws -> WebPage) async throws -> Response {
        guard let visit = visit(request) else { return Self.redirect("/login") }
        let body: WebPage
        do { body = try await render(visit) } catch {
            return Self.html(
                WebLayout.render(
                    WebPage(title: "Not available", body: "<p>\(Self.describe(error))</p><p><a href=\"/fleet\">Back to the fleet</a></p>"),
                    viewer: visit.viewer), status: Self.status(of: error))
        }
        return Self.html(WebLayout.render(body, viewer: visit.viewer, flash: flash.take(for: visit.token)))
    }

    /// A form post: logged in, a genuine form, the permission held; `act` returns the message to show
    /// and where to go. A refusal goes back to `back` with the reason.
    func action(
        _ request: Request, _ permission: Permission, back: String,
        _ act: (Visit, WebForm) async throws -> (String, String?)
    ) async throws -> Response {
        guard let visit = visit(request) else { return Self.redirect("/login") }
        let form: WebForm
        do {
            let bytes = try await request.body.collect(upTo: 1 << 20)
            form = WebForm(urlEncoded: Array(buffer: bytes))
        } catch {
            return forbidden(visit, "the form is over 1 MiB", status: .contentTooLarge)
        }
        return try await perform(visit, form: form, permission, back: back, act)
    }

    func perform(
        _ visit: Visit, form: WebForm, _ permission: Permission, back: String,
        _ act: (Visit, WebForm) async throws -> (String, String?)
    ) async throws -> Response {
        guard WebSession.formIsGenuine(form, token: visit.token) else {
            return forbidden(
                visit, "this form did not come from a page of this session (a missing or wrong CSRF token): reload the page and try again")
        }
        guard visit.principal.allows(permission) else {
            return forbidden(visit, "this needs \(permission.wording); \(visit.viewer.name) has the role \(visit.viewer.role)")
        }
        do {
            let (message, destination) = try await act(visit, form)
            flash.add(message, for: visit.token)
            return Self.redirect(destination ?? back)
        } catch {
            flash.add(Self.describe(error), error: true, for: visit.token)
            return Self.redirect(back)
        }
    }

    func forbidden(_ visit: Visit, _ reason: String, status: HTTPResponse.Status = .forbidden) -> Response {
        Self.html(
            WebLayout.render(
                WebPage(
                    title: "Refused", body: "<p class=\"flash error\" role=\"alert\">\(reason)</p><p><a href=\"/fleet\">Back to the fleet</a></p>"),
                viewer: visit.viewer), status: status)
    }

    func visit(_ request: Request) -> Visit? {
        guard let (principal, token) = session.user(request), case .user(let name, let role) = principal else { return nil }
        return Visit(
            principal: principal, token: token,
            viewer: WebViewer(
                name: name, role: role.rawValue, csrf: WebSession.csrfToken(for: token),
                canApply: role.canApply, canAdminister: role.canAdminister))
    }

    // MARK: - Responses

    static func html(_ html: HTML, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin",
        ]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.text)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300", HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? ManagerError { return error.message }
        if let error = error as? APIError { return error.message }
        return "\(error)"
    }

    static func status(of error: any Error) -> HTTPResponse.Status {
        if let error = error as? ManagerError, error.kind == .notFound { return .notFound }
        if let error = error as? APIError { return error.status }
        return .badRequest
    }

    /// A path segment for a link (names may hold anything; the router decodes it).
    static func segment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return out
    }

    package init(
        manager: ManagerService, repository: RepositoryService, exports: ExportJobs, sync: UpstreamSync?, remote: RemoteRepository?,
        editor: RepositorySettingsEditor, session: WebSession, flash: WebFlash, maxUploadBytes: Int64
    ) {
        self.manager = manager
        self.repository = repository
        self.exports = exports
        self.sync = sync
        self.remote = remote
        self.editor = editor
        self.session = session
        self.flash = flash
        self.maxUploadBytes = maxUploadBytes
    }
}

/// A form that cannot be acted on, in words for the page.
struct WebRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
