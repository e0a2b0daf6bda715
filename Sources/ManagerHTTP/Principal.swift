import ExupCrypto
import Hummingbird
import Manager
import Synchronization

/// Who made a request, from its bearer credential.
public enum Principal: Sendable, Hashable {
    /// The administrator token: everything.
    case administrator
    /// The repository password: another manager, or a TUF client reading metadata and packages.
    case repositoryReader
    /// An enrolled agent, by its own credential: its directives and reports, and the repository.
    case agent(String)
    /// A user, by a session token from `POST /api/v1/login`, with their role.
    case user(String, UserRole)

    public var name: String {
        switch self {
        case .administrator: "admin"
        case .repositoryReader: "repository-client"
        case .agent(let name): name
        case .user(let name, _): name
        }
    }

    /// Whether this principal may do what `permission` covers (R069–R072: approving and the like need
    /// the apply permission, in the API as in any interface).
    public func allows(_ permission: Permission) -> Bool {
        switch self {
        case .administrator: true
        case .user(_, let role):
            switch permission {
            case .read: true
            case .apply: role.canApply
            case .administer: role.canAdminister
            }
        case .repositoryReader, .agent: false
        }
    }
}

/// What a user-facing endpoint needs.
public enum Permission: String, Sendable {
    /// See servers, packages, the log.
    case read
    /// Approve, cancel, uninstall, change download-only statuses, download now.
    case apply
    /// Users, enrolment tokens, agents' credentials, the repository's contents and settings.
    case administer

    package var wording: String {
        switch self {
        case .read: "a user session or the administrator token"
        case .apply: "the apply permission (role administrator or operator)"
        case .administer: "the administrator role (a user session) or the administrator token"
        }
    }
}

/// Checks bearer credentials against the secrets, in constant time.
public struct Authenticator: Sendable {
    package let adminToken: [UInt8]
    /// Rotated from the settings page while the server runs.
    package let repositoryPassword: RotatingSecret
    /// Agent credentials (`<id>.<secret>`) → agent name; nil for unknown or revoked ones.
    package let agentLookup: @Sendable (String) -> String?
    /// Session tokens (`exups_<id>.<secret>`) → user and role.
    package let sessionLookup: @Sendable (String) -> (String, UserRole)?
    /// Where a request came from (the throttles' key).
    public let clientSource: ClientSource

    public init(
        adminToken: String, repositoryPassword: String, agentLookup: @escaping @Sendable (String) -> String? = { _ in nil },
        sessionLookup: @escaping @Sendable (String) -> (String, UserRole)? = { _ in nil },
        clientSource: ClientSource = ClientSource(trustedProxies: [])
    ) {
        self.clientSource = clientSource
        self.adminToken = Array(adminToken.utf8)
        self.repositoryPassword = RotatingSecret(repositoryPassword)
        self.agentLookup = agentLookup
        self.sessionLookup = sessionLookup
    }

    /// The principal of a request that must hold `permission`; a refusal names what is missing.
    @discardableResult
    public func require(_ request: Request, _ permission: Permission) throws -> Principal {
        guard let principal = principal(authorization: request.headers[.authorization]) else { throw APIError.unauthenticated }
        guard principal.allows(permission) else {
            let who: String
            if case .user(let name, let role) = principal {
                who = "\(name) has the role \(role.rawValue)"
            } else {
                who = "this credential is not a user's"
            }
            throw APIError(.forbidden, "forbidden", "this needs \(permission.wording); \(who)")
        }
        return principal
    }

    /// An enrolled agent's own credential, and only that: the agent's name.
    public func requireAgent(_ request: Request) throws -> String {
        guard let principal = principal(authorization: request.headers[.authorization]) else { throw APIError.unauthenticated }
        guard case .agent(let name) = principal else {
            throw APIError(.forbidden, "forbidden", "this endpoint needs an agent's own credential (from enrolment)")
        }
        return name
    }

    /// The principal for an `Authorization` header value, or nil.
    public func principal(authorization: String?) -> Principal? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let presented = Array(authorization.dropFirst(7).utf8)
        if Authenticator.equal(presented, adminToken) { return .administrator }
        if Authenticator.equal(presented, repositoryPassword.bytes) { return .repositoryReader }
        let text = String(decoding: presented, as: UTF8.self)
        if text.hasPrefix("exups_") { return sessionLookup(text).map { .user($0.0, $0.1) } }
        if let name = agentLookup(text) { return .agent(name) }
        return nil
    }

    /// Compares digests so the time taken does not depend on where the inputs differ.
    package static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let x = SHA256Hasher.hash(a).bytes, y = SHA256Hasher.hash(b).bytes
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}

/// A secret that can be replaced while requests are checked against it.
package final class RotatingSecret: Sendable {
    private let value: Mutex<[UInt8]>
    package init(_ text: String) { value = Mutex(Array(text.utf8)) }
    package var bytes: [UInt8] { value.withLock { $0 } }
    package func replace(_ text: String) { value.withLock { $0 = Array(text.utf8) } }
}
