import ExupCore
import FoundationEssentials
import Hummingbird
import Manager
import ManagerHTTP

/// Users and sessions (seed §3.5.1, R069–R072): log in and out, and the administrator's user management.
package struct UserRoutes: Sendable {
    let manager: ManagerService
    let authenticator: Authenticator

    package func register(on router: Router<ManagerRequestContext>) {
        // Unauthenticated: a small body (8 KiB: the longest name and password fit even fully escaped), then
        // the throttles and the bounded hashing pool (see login).
        router.post("/api/v1/login") { request, context in
            let body = try await StrictJSON.decode(LoginBody.self, from: request, allowed: ["username", "password"], limit: 8 << 10)
            let source = self.authenticator.clientSource.address(of: request, context: context)
            let result = try await self.mapped { try await self.manager.users.login(body.username, password: body.password, source: source) }
            return try Response.json(result)
        }
        router.post("/api/v1/logout") { request, _ in
            guard case .user = try self.authenticator.require(request, .read),
                let token = request.headers[.authorization].map({ String($0.dropFirst(7)) })
            else {
                throw APIError(.forbidden, "not-a-session", "log out ends a user session; this credential is not one")
            }
            try await self.manager.users.logout(token: token)
            return try Response.json(["loggedOut": true])
        }
        router.get("/api/v1/users") { request, _ in
            try self.authenticator.require(request, .administer)
            return try Response.json(try await self.manager.users.users())
        }
        router.post("/api/v1/users") { request, _ in
            let principal = try self.authenticator.require(request, .administer)
            let body = try await StrictJSON.decode(NewUserBody.self, from: request, allowed: ["name", "role", "password"])
            guard let role = UserRole(rawValue: body.role) else {
                throw APIError.badRequest("role must be one of: \(UserRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try await self.mapped { try await self.manager.users.addUser(body.name, role: role, password: body.password, actor: principal.name) }
            return try Response.json(try await self.manager.users.users(), status: .created)
        }
        router.post("/api/v1/users/:name/remove") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let name = try context.parameters.decoded("name")
            try await self.mapped { try await self.manager.users.removeUser(name, actor: principal.name) }
            return try Response.json(try await self.manager.users.users())
        }
        // A user may change their own password; the administrator anyone's.
        router.post("/api/v1/users/:name/password") { request, context in
            let principal = try self.authenticator.require(request, .read)
            let name = try context.parameters.decoded("name")
            if !principal.allows(.administer) && principal.name != name {
                throw APIError(.forbidden, "forbidden", "only an administrator changes another user's password")
            }
            let body = try await StrictJSON.decode([String: String].self, from: request, allowed: ["password", "currentPassword"])
            // A session changing its own user's password proves it knows the current one.
            var own = false
            if case .user(let user, _) = principal, user == name { own = true }
            let source = self.authenticator.clientSource.address(of: request, context: context)
            try await self.mapped {
                try await self.manager.users.setPassword(
                    name, password: body["password"] ?? "", current: body["currentPassword"], requireCurrent: own,
                    actor: principal.name, source: source)
            }
            return try Response.json(["changed": name])
        }
    }

    func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await ManagerRoutes(manager: manager, authenticator: authenticator).mapped(body)
    }

    package init(manager: ManagerService, authenticator: Authenticator) {
        self.manager = manager
        self.authenticator = authenticator
    }
}

struct LoginBody: Decodable {
    var username: String
    var password: String
}

struct NewUserBody: Decodable {
    var name: String
    var role: String
    var password: String
}
