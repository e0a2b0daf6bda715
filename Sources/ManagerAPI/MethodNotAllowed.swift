import Hummingbird
import ManagerHTTP

/// A documented path asked with a method it does not have answers 405 with `Allow` (RFC 9110 §15.5.6),
/// not 404: the client has the right address and the wrong verb. The document is the list.
package struct MethodNotAllowedMiddleware: RouterMiddleware {
    package typealias Context = ManagerRequestContext

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch let error as HTTPError where error.status == .notFound {
            guard let methods = OpenAPIDocument.methods(for: request.uri.path), !methods.contains(request.method.rawValue) else { throw error }
            let allow = methods.sorted().joined(separator: ", ")
            var response = try Response.json(
                ["error": ["code": "method-not-allowed", "message": "\(request.uri.path) answers \(allow), not \(request.method)"]],
                status: .methodNotAllowed)
            response.headers[.allow] = allow
            return response
        }
    }
}
