import ExupCore
import ExupCrypto
import ExupFormats
import ExupSystem
import FoundationEssentials
import GRDB
import Repository
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// Enrolment, agent credentials (keyed hashes checked without an actor hop), revocation and rotation.
extension ManagerService {
    /// A new enrolment token (single use by default) carrying the SHA-256 of the current root.json.
    /// With `group`, the servers that enrol with it are placed in that group.
    public func createToken(expiresInSeconds: Int64, uses: Int, group: String? = nil, actor: String) throws -> String {
        let secret = Secrets.token(bytes: 24)
        let root = try source.currentRootBytes()
        try store.addToken(
            secretHash: SHA256Hasher.hash(Array(secret.utf8)).hex, expires: clock() + expiresInSeconds, uses: uses, created: clock(), group: group)
        try log(.tokenCreated, actor: actor, cause: "\(uses) use(s), expires \(UTCTime(seconds: clock() + expiresInSeconds))")
        return EnrolmentToken.make(secret: secret, rootSHA256: SHA256Hasher.hash(root).hex)
    }

    /// The enrolment tokens that can still be used (the secret itself is never stored: an id is the start
    /// of its hash).
    public nonisolated func tokens() throws -> [EnrolmentTokenSummary] {
        try store.usableTokens(now: clock()).map { token in
            EnrolmentTokenSummary(
                id: String(token.secretHash.prefix(12)), created: UTCTime(seconds: token.created).description,
                expires: UTCTime(seconds: token.expires).description, usesLeft: token.usesLeft, group: token.groupName)
        }
    }

    /// Revokes the token whose id (at least 8 characters of `tokens()`' id) is given: no agent enrols with it any more.
    public func revokeToken(id: String, actor: String) throws {
        guard id.count >= 8, id.allSatisfy(\.isHexDigit) else {
            throw ManagerError.invalid("a token id is 8-64 hex digits, as exup agents token list shows")
        }
        guard try store.removeToken(hashPrefix: id.lowercased()) else {
            throw ManagerError.notFound("no enrolment token \(id) (exup agents token list shows them)")
        }
        try log(.tokenRevoked, actor: actor, cause: "token \(id)")
    }

    /// Enrols an agent from `source`. Guessing tokens is throttled per source as failed logins are: after
    /// ten refused tokens in a row a source waits, doubling up to 15 minutes; a valid token resets it.
    public func enrol(_ request: EnrolmentRequest, source: String) throws(ManagerError) -> EnrolmentResponse {
        let wait = enrolmentThrottle.withLock { $0.wait(user: source, now: clock()) }
        guard wait == 0 else {
            throw ManagerError(
                kind: .throttled, code: "too-many-failures", message: "too many refused enrolment tokens from \(source): try again in \(wait) s")
        }
        do {
            let response = try enrol(request)
            enrolmentThrottle.withLock { $0.succeeded(user: source) }
            return response
        } catch {
            if error.kind == .unauthorised {
                let failures = enrolmentThrottle.withLock { $0.failed(user: source, now: clock()) }
                if LoginGuard().worthLogging(failures) {
                    try? log(.enrolmentFailed, actor: source, cause: "\(error.message) (\(failures) in a row from \(source))")
                }
            }
            throw error
        }
    }

    /// Enrols an agent: consumes one use of the token, issues the agent's own credential.
    public func enrol(_ request: EnrolmentRequest) throws(ManagerError) -> EnrolmentResponse {
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
            let root = try source.currentRootBytes()
            let credentialID = Secrets.token(bytes: 9), secret = Secrets.token(bytes: 32)
            let hmac = HMACSHA256.authenticate(Array(secret.utf8), key: credentialKey).hex
            let now = clock()
            try store.write { db in
                let hash = SHA256Hasher.hash(Array(parsed.secret.utf8)).hex
                guard let token = try Row.fetchOne(db, sql: "SELECT * FROM enrolment_token WHERE secret_hash = ?", arguments: [hash]) else {
                    throw ManagerError(kind: .unauthorised, code: "bad-token", message: "unknown enrolment token")
                }
                guard (token["expires"] as Int64) > now else {
                    throw ManagerError(kind: .unauthorised, code: "token-expired", message: "the enrolment token has expired")
                }
                guard (token["uses_left"] as Int) > 0 else {
                    throw ManagerError(kind: .unauthorised, code: "token-used", message: "the enrolment token has been used up")
                }
                if let existing = try Row.fetchOne(db, sql: "SELECT * FROM agent WHERE name = ?", arguments: [name]) {
                    guard existing["allow_reenrolment"] as Bool || existing["revoked"] as Bool else {
                        throw ManagerError.conflict(
                            "name-taken", "an agent named \(name) is already enrolled; an administrator must allow its re-enrolment")
                    }
                    try db.execute(sql: "DELETE FROM agent WHERE name = ?", arguments: [name])
                }
                try db.execute(sql: "UPDATE enrolment_token SET uses_left = uses_left - 1 WHERE secret_hash = ?", arguments: [hash])
                try db.execute(
                    sql: """
                        INSERT INTO agent (name, credential_id, credential_hmac, enrolled_at, last_seen) VALUES (?, ?, ?, ?, ?)
                        """, arguments: [name, credentialID, hmac, now, now])
                if let group = token["group_name"] as String? {
                    try db.execute(
                        sql:
                            "INSERT OR IGNORE INTO group_member (group_name, server) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM server_group WHERE name = ?)",
                        arguments: [group, name, group])
                }
            }
            credentials.withLock { cache in
                for (id, entry) in cache where entry.name == name { cache[id] = nil }
                cache[credentialID] = (name, hmac)
            }
            try log(.agentEnrolled, actor: name, server: name, cause: request.hostname)
            return EnrolmentResponse(
                name: name, credential: "\(credentialID).\(secret)", root: Base64.encode(root),
                pollIntervalSeconds: settings.pollIntervalSeconds)
        } catch let error as ManagerError {
            throw error
        } catch {
            throw ManagerError(kind: .invalid, code: "storage", message: "\(error)")
        }
    }

    /// The agent a credential belongs to; nil when unknown or revoked. Constant-time comparison.
    public nonisolated func agent(credential: String) -> String? {
        guard let dot = credential.firstIndex(of: ".") else { return nil }
        let id = String(credential[..<dot]), secret = Array(credential[credential.index(after: dot)...].utf8)
        guard let entry = credentials.withLock({ $0[id] }) else { return nil }
        let presented = HMACSHA256.authenticate(secret, key: credentialKey).bytes
        guard let stored = Digest(hex: entry.hmac)?.bytes, stored.count == presented.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(presented, stored) { difference |= a ^ b }
        return difference == 0 ? entry.name : nil
    }

    public func revoke(_ name: String, actor: String) async throws {
        guard try store.revokeAgent(name) else { throw ManagerError.notFound("no agent \(name)") }
        credentials.withLock { cache in for (id, entry) in cache where entry.name == name { cache[id] = nil } }
        reportedPlatforms.withLock { seen in seen = seen.filter { !$0.hasPrefix(name + "|") } }
        try log(.agentRevoked, actor: actor, server: name)
        // What its credential claimed (the platform it runs, the versions it pins) goes with it.
        try await source.releaseAgent(name, actor: actor)
    }

    /// A new credential for an agent (the old one stops working at once).
    public func rotate(_ name: String, actor: String) throws -> String {
        let credentialID = Secrets.token(bytes: 9), secret = Secrets.token(bytes: 32)
        let hmac = HMACSHA256.authenticate(Array(secret.utf8), key: credentialKey).hex
        guard try store.replaceCredential(of: name, id: credentialID, hmac: hmac) else { throw ManagerError.notFound("no active agent \(name)") }
        credentials.withLock { cache in
            for (id, entry) in cache where entry.name == name { cache[id] = nil }
            cache[credentialID] = (name, hmac)
        }
        try log(.agentCredentialRotated, actor: actor, server: name)
        return "\(credentialID).\(secret)"
    }

    public func allowReenrolment(_ name: String, actor: String) throws {
        guard try store.allowReenrolment(of: name) else { throw ManagerError.notFound("no agent \(name)") }
        try log(.agentReenrolmentAllowed, actor: actor, server: name)
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
