import ApplicationLog
import ExupCore
import ExupCrypto
import ExupFormats
import ExupSystem
import Repository
import Synchronization

/// Enrolment, agent credentials (keyed hashes checked from memory, on every poll), revocation and rotation.
public final class EnrolmentService: Sendable {
    let context: ManagerContext
    let platformsServed: PlatformsServed
    /// credential id → (agent name, HMAC of the secret); revoked agents are absent.
    private let credentials: Mutex<[String: (name: String, hmac: String)]>
    /// Failed enrolments (guessed tokens) by source.
    private let enrolmentThrottle = Mutex(LoginThrottle(free: 10))
    /// A credential change (its store write and the cache update after it) never interleaves with
    /// another: a rotation racing a revocation cannot put a revoked agent's credential back.
    let changes = SerialGate()

    init(context: ManagerContext, platformsServed: PlatformsServed, credentials: [AgentCredential]) {
        self.context = context
        self.platformsServed = platformsServed
        self.credentials = Mutex(Dictionary(credentials.map { ($0.id, ($0.name, $0.hmac)) }, uniquingKeysWith: { a, _ in a }))
    }

    var store: any ManagerDatabase { context.store }
    private var clock: @Sendable () -> Int64 { context.clock }

    /// Drops an agent's credential from memory (revoked, or replaced).
    private func forgetCredentials(of name: String) {
        credentials.withLock { cache in for (id, entry) in cache where entry.name == name { cache[id] = nil } }
    }

    /// The agent was revoked in the store (it uninstalled itself): its credential stops working now.
    func forgetRevoked(_ name: String) async {
        await changes.run { forgetCredentials(of: name) }
        platformsServed.forget(agent: name)
    }

    /// The cache's entry for one agent, as the store says it is now (nil: none).
    func replaceCached(_ name: String, with credential: AgentCredential?) {
        credentials.withLock { cache in
            for (known, entry) in cache where entry.name == name { cache[known] = nil }
            if let credential { cache[credential.id] = (credential.name, credential.hmac) }
        }
    }

    func replaceAllCached(_ all: [AgentCredential]) {
        credentials.withLock { $0 = Dictionary(all.map { ($0.id, ($0.name, $0.hmac)) }, uniquingKeysWith: { a, _ in a }) }
    }

    private func remember(_ name: String, id: String, hmac: String) {
        credentials.withLock { cache in
            for (known, entry) in cache where entry.name == name { cache[known] = nil }
            cache[id] = (name, hmac)
        }
    }

    /// A new enrolment token (single use by default) carrying the SHA-256 of the current root.json.
    /// With `group`, the servers that enrol with it are placed in that group.
    public func createToken(expiresInSeconds: Int64, uses: Int, group: String? = nil, actor: String) async throws -> String {
        let secret = Secrets.token(bytes: 24)
        let root = try context.source.currentRootBytes()
        try await store.addToken(
            secretHash: SHA256Hasher.hash(Array(secret.utf8)).hex, expires: clock() + expiresInSeconds, uses: uses, created: clock(), group: group)
        try await context.log(.tokenCreated, actor: actor, cause: "\(uses) use(s), expires \(UTCTime(seconds: clock() + expiresInSeconds))")
        return EnrolmentToken.make(secret: secret, rootSHA256: SHA256Hasher.hash(root).hex)
    }

    /// The enrolment tokens that can still be used (the secret itself is never stored: an id is the start
    /// of its hash).
    public func tokens() async throws -> [EnrolmentTokenSummary] {
        try await store.usableTokens(now: clock()).map { token in
            EnrolmentTokenSummary(
                id: String(token.secretHash.prefix(12)), created: UTCTime(seconds: token.created).description,
                expires: UTCTime(seconds: token.expires).description, usesLeft: token.usesLeft, group: token.groupName)
        }
    }

    /// Revokes the token whose id (at least 8 characters of `tokens()`' id) is given: no agent enrols with it any more.
    public func revokeToken(id: String, actor: String) async throws {
        guard id.count >= 8, id.allSatisfy(\.isHexDigit) else {
            throw ManagerError.invalid("a token id is 8-64 hex digits, as exup agents token list shows")
        }
        guard try await store.removeToken(hashPrefix: id.lowercased()) else {
            throw ManagerError.notFound("no enrolment token \(id) (exup agents token list shows them)")
        }
        try await context.log(.tokenRevoked, actor: actor, cause: "token \(id)")
    }

    /// Enrols an agent from `source`. Guessing tokens is throttled per source as failed logins are: after
    /// ten refused tokens in a row a source waits, doubling up to 15 minutes; a valid token resets it.
    public func enrol(_ request: EnrolmentRequest, source: String) async throws(ManagerError) -> EnrolmentResponse {
        let wait = enrolmentThrottle.withLock { $0.wait(user: source, now: clock()) }
        guard wait == 0 else {
            throw ManagerError(
                kind: .throttled, code: "too-many-failures", message: "too many refused enrolment tokens from \(source): try again in \(wait) s")
        }
        do {
            let response = try await enrol(request)
            enrolmentThrottle.withLock { $0.succeeded(user: source) }
            return response
        } catch {
            if error.kind == .unauthorised {
                let failures = enrolmentThrottle.withLock { $0.failed(user: source, now: clock()) }
                if LoginGuard().worthLogging(failures) {
                    try? await context.log(.enrolmentFailed, actor: source, cause: "\(error.message) (\(failures) in a row from \(source))")
                }
            }
            throw error
        }
    }

    /// Enrols an agent: consumes one use of the token, issues the agent's own credential.
    public func enrol(_ request: EnrolmentRequest) async throws(ManagerError) -> EnrolmentResponse {
        guard let parsed = EnrolmentToken.parse(request.token) else {
            throw ManagerError(kind: .unauthorised, code: "bad-token", message: "not an enrolment token")
        }
        let name = request.name.trimmingScalars(in: " \t\n")
        guard !name.isEmpty, name.count <= 128,
            name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.@".unicodeScalars.contains($0) })
        else {
            throw .invalid("agent names are 1-128 letters, digits, '-', '_', '.' or '@'")
        }
        do {
            let root = try context.source.currentRootBytes()
            let credentialID = Secrets.token(bytes: 9), secret = Secrets.token(bytes: 32)
            let hmac = HMACSHA256.authenticate(Array(secret.utf8), key: context.credentialKey).hex
            let now = clock()
            let enrolment = NewAgent(
                name: name, tokenHash: SHA256Hasher.hash(Array(parsed.secret.utf8)).hex, credentialID: credentialID, credentialHMAC: hmac, now: now)
            try await changes.run {
                try await store.enrol(enrolment)
                remember(name, id: credentialID, hmac: hmac)
            }
            try await context.log(.agentEnrolled, actor: name, server: name, cause: request.hostname)
            return EnrolmentResponse(
                name: name, credential: "\(credentialID).\(secret)", root: Base64.encode(root),
                pollIntervalSeconds: context.settings.pollIntervalSeconds)
        } catch let error as ManagerError {
            throw error
        } catch {
            throw ManagerError(kind: .invalid, code: "storage", message: "\(error)")
        }
    }

    /// The agent a credential belongs to; nil when unknown or revoked. Constant-time comparison.
    public func agent(credential: String) -> String? {
        guard let dot = credential.firstIndex(of: ".") else { return nil }
        let id = String(credential[..<dot]), secret = Array(credential[credential.index(after: dot)...].utf8)
        guard let entry = credentials.withLock({ $0[id] }) else { return nil }
        let presented = HMACSHA256.authenticate(secret, key: context.credentialKey).bytes
        guard let stored = Digest(hex: entry.hmac)?.bytes, stored.count == presented.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(presented, stored) { difference |= a ^ b }
        return difference == 0 ? entry.name : nil
    }

    public func revoke(_ name: String, actor: String) async throws {
        let revoked = try await changes.run {
            guard try await store.revokeAgent(name) else { return false }
            forgetCredentials(of: name)
            return true
        }
        guard revoked else { throw ManagerError.notFound("no agent \(name)") }
        platformsServed.forget(agent: name)
        try await context.log(.agentRevoked, actor: actor, server: name)
        // What its credential claimed (the platform it runs, the versions it pins) goes with it.
        try await context.source.releaseAgent(name, actor: actor)
    }

    /// A new credential for an agent (the old one stops working at once).
    public func rotate(_ name: String, actor: String) async throws -> String {
        let credentialID = Secrets.token(bytes: 9), secret = Secrets.token(bytes: 32)
        let hmac = HMACSHA256.authenticate(Array(secret.utf8), key: context.credentialKey).hex
        let replaced = try await changes.run {
            guard try await store.replaceCredential(of: name, id: credentialID, hmac: hmac) else { return false }
            remember(name, id: credentialID, hmac: hmac)
            return true
        }
        guard replaced else { throw ManagerError.notFound("no active agent \(name)") }
        try await context.log(.agentCredentialRotated, actor: actor, server: name)
        return "\(credentialID).\(secret)"
    }

    public func allowReenrolment(_ name: String, actor: String) async throws {
        guard try await store.allowReenrolment(of: name) else { throw ManagerError.notFound("no agent \(name)") }
        try await context.log(.agentReenrolmentAllowed, actor: actor, server: name)
    }
}

/// An enrolment token as listed: never the secret.
public struct EnrolmentTokenSummary: Sendable, Codable, Hashable {
    public var id: String
    public var created: String
    public var expires: String
    public var usesLeft: Int
    public var group: String?
}
