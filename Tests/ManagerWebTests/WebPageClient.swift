import ExupTesting
import Foundation
import Testing
import Transport

/// The manager's pages as a browser without JavaScript uses them: the login form with its nonce, a
/// session cookie, forms posted with the page's CSRF token. Redirects are not followed (tests look at them).
struct WebPageClient {
    let url: String

    /// A cookie's value from a Set-Cookie header.
    static func cookie(_ response: HTTPClient.Response, _ name: String) -> String? {
        guard let header = response.headers["set-cookie"], header.hasPrefix(name + "=") else { return nil }
        return String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
    }

    static func form(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&").utf8)
    }

    /// The first CSRF token a page carries.
    static func csrf(in page: HTTPClient.Response) -> String? {
        let text = String(decoding: page.body, as: UTF8.self)
        guard let range = text.range(of: #"name="csrf" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Posts the login form (with the nonce its page set); returns the answer, whose cookie is the session.
    func submitLogin(_ user: String, password: String) throws -> HTTPClient.Response {
        let page = try HTTPClient().get(url + "/login", maxBytes: 1 << 20)
        let nonce = try #require(Self.cookie(page, "exup_login"))
        return try HTTPClient().send(
            "POST", url + "/login", body: Self.form([("csrf", nonce), ("username", user), ("password", password)]),
            headers: ["Cookie": "exup_login=\(nonce)", "Content-Type": "application/x-www-form-urlencoded"])
    }

    func login(_ user: String, password: String) throws -> String {
        try #require(Self.cookie(try submitLogin(user, password: password), "exup_session"))
    }

    func get(_ path: String, session: String?) throws -> HTTPClient.Response {
        try HTTPClient().get(url + path, headers: session.map { ["Cookie": "exup_session=\($0)"] } ?? [:], maxBytes: 16 << 20)
    }

    func post(_ path: String, session: String, _ fields: [(String, String)]) throws -> HTTPClient.Response {
        try HTTPClient().send(
            "POST", url + path, body: Self.form(fields),
            headers: ["Cookie": "exup_session=\(session)", "Content-Type": "application/x-www-form-urlencoded"])
    }

    /// Posts a form of the page at `page` with that page's CSRF token.
    func submit(_ path: String, from page: String, session: String, _ fields: [(String, String)]) throws -> HTTPClient.Response {
        let token = try #require(Self.csrf(in: try get(page, session: session)), "\(page) carries a form")
        return try post(path, session: session, [("csrf", token)] + fields)
    }

    /// The messages the next page shows (after a form's redirect).
    func flash(_ path: String, session: String) throws -> String {
        let text = String(decoding: try get(path, session: session).body, as: UTF8.self)
        return text.components(separatedBy: "<p class=\"flash ").dropFirst().map { $0.prefix { $0 != "<" } }.joined(separator: " | ")
    }
}

extension HTTPClient.Response {
    var text: String { String(decoding: body, as: UTF8.self) }
}
