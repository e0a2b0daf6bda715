import Hummingbird
import ManagerHTTP

/// An unknown path of the web UI answers a page with the navigation (for a signed-in user) instead of a
/// bare 404; the JSON API and the repository keep their own answers.
package struct WebNotFoundMiddleware: RouterMiddleware {
    package typealias Context = ManagerRequestContext
    let web: WebRoutes

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            if path.hasPrefix("/api/") {  // the API answers in its own shape, even for a path it does not have
                return try Response.json(
                    [
                        "error": [
                            "code": "not-found", "message": "no API operation at \(request.method) \(path) (GET /api/v1/openapi.json lists them)",
                        ]
                    ],
                    status: .notFound)
            }
            guard request.method == .get, !path.hasPrefix("/repo/"), path != "/metrics", path != "/healthz" else { throw error }
            let body: HTML = "<p>There is no page at \(path).</p><p><a href=\"/fleet\">Go to the fleet</a></p>"
            let page = WebPage(title: "Not found", body: body)
            return WebRoutes.html(WebLayout.render(page, viewer: web.visit(request)?.viewer), status: .notFound)
        }
    }

    package init(web: WebRoutes) {
        self.web = web
    }
}
