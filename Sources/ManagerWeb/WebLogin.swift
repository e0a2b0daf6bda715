import Hummingbird
import Manager
import ManagerHTTP
import WebForms

/// `/login` and `/logout`: the API's users and sessions behind a form and a cookie. The new-package
/// notices of R148–R150 are shown once, on the first page after the login, to users who may apply.
extension WebRoutes {
    func registerLogin(on router: Router<ManagerRequestContext>) {
        router.get("/login") { request, _ in
            if session.user(request) != nil { return Self.redirect("/fleet") }
            let nonce = WebSession.newLoginNonce()
            return Self.html(loginPage(nonce: nonce, error: nil), headers: [.setCookie: session.loginCookie(nonce)])
        }
        router.post("/login") { request, context in
            let form = WebForm(urlEncoded: Array(buffer: try await request.body.collect(upTo: 4096)))
            let nonce = WebSession.cookie(WebSession.loginCookie, in: request)
            guard let nonce, let presented = form["csrf"], Authenticator.equal(Array(presented.utf8), Array(nonce.utf8)) else {
                let fresh = WebSession.newLoginNonce()
                return Self.html(
                    loginPage(nonce: fresh, error: "The login form expired or did not come from this site: please try again."),
                    status: .forbidden, headers: [.setCookie: session.loginCookie(fresh)])
            }
            let result: LoginResult
            do {
                result = try await manager.users.login(
                    form["username"] ?? "", password: form["password"] ?? "",
                    source: session.authenticator.clientSource.address(of: request, context: context))
            } catch {
                let throttled = (error as? ManagerError)?.kind == .throttled
                return Self.html(
                    loginPage(nonce: nonce, error: Self.describe(error), username: form["username"]),
                    status: throttled ? .tooManyRequests : .unauthorized)
            }
            for notice in result.notices {
                flash.add("New update packages were added to the repository (\(notice.time)): \(notice.components)", for: result.token)
            }
            return Self.redirect("/fleet", cookies: [session.sessionCookie(result.token, maxAge: UserService.sessionSeconds)])
        }
        router.post("/logout") { request, _ in
            guard let visit = visit(request) else { return Self.redirect("/login") }
            let form = WebForm(urlEncoded: Array(buffer: try await request.body.collect(upTo: 64 << 10)))
            guard WebSession.formIsGenuine(form, token: visit.token) else {
                return forbidden(visit, "a log-out form without this session's CSRF token")
            }
            try await manager.users.logout(token: visit.token)
            return Self.redirect("/login", cookies: [session.clearedCookie()])
        }
    }

    func loginPage(nonce: String, error: String?, username: String? = nil) -> HTML {
        let message: HTML = error.map { "<p class=\"flash error\" role=\"alert\">\($0)</p>" } ?? .empty
        let body: HTML = """
            <div class="login">
            \(message)
            <form method="post" action="/login">
            <input type="hidden" name="csrf" value="\(nonce)">
            <label for="username">User name</label>
            <input type="text" id="username" name="username" value="\(username)" autocomplete="username" required autofocus>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>
            <p><button type="submit">Log in</button></p>
            </form>
            </div>
            """
        return WebLayout.render(WebPage(title: "Log in", body: body), viewer: nil)
    }
}
