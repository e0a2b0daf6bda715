import ExupCrypto
import Hummingbird
import Manager
import ManagerHTTP
import Repository
import WebForms

/// The pages' login state: the API's session token in an HttpOnly, SameSite=Strict cookie (Secure when
/// the manager serves HTTPS), and a CSRF token every form carries. The token is derived from the session
/// (a page can only know it by being served to that session); the login form, which has no session yet,
/// pairs a random cookie with its hidden field.
package struct WebSession: Sendable {
    static let cookie = "exup_session"
    static let loginCookie = "exup_login"
    let authenticator: Authenticator
    let secure: Bool

    /// Who is logged in, with the session token; nil for no cookie or an ended session.
    func user(_ request: Request) -> (principal: Principal, token: String)? {
        guard let token = Self.cookie(Self.cookie, in: request), token.hasPrefix("exups_"),
            let (name, role) = authenticator.sessionLookup(token)
        else { return nil }
        return (.user(name, role), token)
    }

    static func csrfToken(for token: String) -> String {
        String(SHA256Hasher.hash(Array(("exup-web-csrf\u{0}" + token).utf8)).hex.prefix(40))
    }

    /// Whether a form came from one of our pages for this session.
    static func formIsGenuine(_ form: WebForm, token: String) -> Bool {
        guard let presented = form["csrf"] else { return false }
        return isGenuine(csrf: presented, token: token)
    }

    /// Whether a CSRF token (a form field, or the query of an upload's action) is this session's.
    static func isGenuine(csrf presented: String, token: String) -> Bool {
        Authenticator.equal(Array(presented.utf8), Array(csrfToken(for: token).utf8))
    }

    func sessionCookie(_ token: String, maxAge: Int64) -> String {
        "\(Self.cookie)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)" + (secure ? "; Secure" : "")
    }

    func loginCookie(_ value: String) -> String {
        "\(Self.loginCookie)=\(value); Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600" + (secure ? "; Secure" : "")
    }

    func clearedCookie() -> String {
        "\(Self.cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "")
    }

    static func newLoginNonce() -> String { Secrets.token(bytes: 18) }

    /// The value of cookie `name`, if the request carries it.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimming(" ") == name { return parts[1].trimming(" ") }
            }
        }
        return nil
    }

    package init(authenticator: Authenticator, secure: Bool) {
        self.authenticator = authenticator
        self.secure = secure
    }
}
