import ExupCrypto

/// Who made a request, from its bearer credential.
public enum Principal: Sendable, Hashable {
    /// The administrator token: everything.
    case administrator
    /// The repository password: another manager, or a TUF client reading metadata and packages.
    case repositoryReader
    /// An enrolled agent, by its own credential: its directives and reports, and the repository.
    case agent(String)

    public var name: String {
        switch self {
        case .administrator: "admin"
        case .repositoryReader: "repository-client"
        case .agent(let name): name
        }
    }
}

/// Checks bearer credentials against the secrets, in constant time.
public struct Authenticator: Sendable {
    let adminToken: [UInt8]
    let repositoryPassword: [UInt8]
    /// Agent credentials (`<id>.<secret>`) → agent name; nil for unknown or revoked ones.
    let agentLookup: @Sendable (String) -> String?

    public init(adminToken: String, repositoryPassword: String, agentLookup: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.adminToken = Array(adminToken.utf8)
        self.repositoryPassword = Array(repositoryPassword.utf8)
        self.agentLookup = agentLookup
    }

    /// The principal for an `Authorization` header value, or nil.
    public func principal(authorization: String?) -> Principal? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let presented = Array(authorization.dropFirst(7).utf8)
        if Authenticator.equal(presented, adminToken) { return .administrator }
        if Authenticator.equal(presented, repositoryPassword) { return .repositoryReader }
        if let name = agentLookup(String(decoding: presented, as: UTF8.self)) { return .agent(name) }
        return nil
    }

    /// Compares digests so the time taken does not depend on where the inputs differ.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let x = SHA256Hasher.hash(a).bytes, y = SHA256Hasher.hash(b).bytes
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}
