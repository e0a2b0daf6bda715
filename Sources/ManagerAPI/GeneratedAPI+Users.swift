import ExupCore
import Manager
import ManagerAPIModel
import ManagerHTTP

/// Users and sessions (seed §3.5.1, R069–R072): log in and out, and the administrator's user management.
extension GeneratedAPI {
    /// Unauthenticated: a small body (8 KiB, x-exup-body-limit: the longest name and password fit even
    /// fully escaped), then the throttles and the bounded hashing pool.
    package func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let source = APIRequestScope.current?.source ?? "unknown"
        let result = try await mapped { try await manager.users.login(body.username, password: body.password, source: source) }
        return .ok(.init(body: .json(try Wire.convert(result))))
    }

    /// OperationGate admitted a user session only (x-exup-permission: session).
    package func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        guard let token = APIRequestScope.current?.headers[.authorization].map({ String($0.dropFirst(7)) }) else { throw APIError.unauthenticated }
        try await manager.users.logout(token: token)
        return .ok(.init(body: .json(.init(loggedOut: true))))
    }

    package func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        .ok(.init(body: .json(try Wire.convert(try await manager.users.users()))))
    }

    package func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let actor = try APIRequestScope.principal.name
        let role = try Wire.request(body.role, as: UserRole.self)
        try await mapped { try await manager.users.addUser(body.name, role: role, password: body.password, actor: actor) }
        return .created(.init(body: .json(try Wire.convert(try await manager.users.users()))))
    }

    package func removeUser(_ input: Operations.RemoveUser.Input) async throws -> Operations.RemoveUser.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.users.removeUser(name, actor: actor) }
        return .ok(.init(body: .json(try Wire.convert(try await manager.users.users()))))
    }

    /// A user may change their own password; the administrator anyone's. A session changing its own
    /// user's password proves it knows the current one.
    package func setUserPassword(_ input: Operations.SetUserPassword.Input) async throws -> Operations.SetUserPassword.Output {
        let name = input.path.name, principal = try APIRequestScope.principal
        if !principal.allows(.administer) && principal.name != name {
            throw APIError(.forbidden, "forbidden", "only an administrator changes another user's password")
        }
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let source = APIRequestScope.current?.source ?? "unknown"
        var own = false
        if case .user(let user, _) = principal, user == name { own = true }
        try await mapped {
            try await manager.users.setPassword(
                name, password: body.password, current: body.currentPassword, requireCurrent: own, actor: principal.name, source: source)
        }
        return .ok(.init(body: .json(.init(changed: name))))
    }
}
