import ApplicationLog
import ExupCore
import ExupCrypto
import ExupFormats
import ExupSystem
import Repository
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Users and their roles (seed §3.5.1, R069–R072). The apply permission (administrator, operator) is
/// what approve, cancel, uninstall and the download-only status need; viewers read.
public enum UserRole: String, Sendable, Codable, CaseIterable {
    case administrator, `operator`, viewer

    public var canApply: Bool { self != .viewer }
    public var canAdminister: Bool { self == .administrator }
}

public struct UserSummary: Sendable, Codable, Hashable {
    public var name: String
    public var role: UserRole
    public var created: String
    public var lastLogin: String?
}

/// A new-package notice shown at login (R148–R150).
public struct PackageNotice: Sendable, Codable, Hashable {
    public var time: String
    public var components: String
}

public struct LoginResult: Sendable, Codable, Hashable {
    /// `Authorization: Bearer <token>` on later requests.
    public var token: String
    public var user: String
    public var role: UserRole
    public var expiresAt: String
    /// New packages downloaded since this user's last login; only for users with the apply permission.
    public var notices: [PackageNotice]
}

/// Users, logins and sessions. Sessions are checked from memory on every request; password hashing
/// (PBKDF2) runs on a bounded pool off the request path.
public final class UserService: Sendable {
    let context: ManagerContext
    /// Open user sessions: id → (HMAC of the secret, user, role, expiry).
    private let sessions: Mutex<[String: SessionEntry]>
    /// Failed logins by source and user name (a guesser is slowed down; see LoginGuard).
    private let loginGuard = Mutex(LoginGuard())
    /// A session change (its store write and the cache update after it) never interleaves with another:
    /// a login finishing while the password is reset cannot keep a session the reset ended.
    let changes = SerialGate()
    /// Half the cores at most, a short queue, then "busy".
    private let passwordHashing = WorkLimiter(permits: max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) / 2), maxWaiting: 32)

    init(context: ManagerContext, sessions: [SessionRecord]) {
        self.context = context
        self.sessions = Mutex(
            Dictionary(
                sessions.map { ($0.id, SessionEntry(hmac: $0.hmac, user: $0.user, role: $0.role, expires: $0.expires)) },
                uniquingKeysWith: { a, _ in a }))
    }

    var store: any ManagerDatabase { context.store }
    private var clock: @Sendable () -> Int64 { context.clock }

    /// One user's sessions in the cache, as the store says they are now.
    func replaceCached(_ user: String, with current: [SessionRecord]) {
        sessions.withLock { cache in
            for (id, entry) in cache where entry.user == user { cache[id] = nil }
            for session in current {
                cache[session.id] = SessionEntry(hmac: session.hmac, user: session.user, role: session.role, expires: session.expires)
            }
        }
    }

    func replaceAllCached(_ all: [SessionRecord]) {
        sessions.withLock { cache in
            cache = Dictionary(
                all.map { ($0.id, SessionEntry(hmac: $0.hmac, user: $0.user, role: $0.role, expires: $0.expires)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public static let sessionSeconds: Int64 = 12 * 3600
    static let minimumPasswordLength = 8

    /// At first start: the user `admin` with a generated password, written to DATA/admin.password (0600)
    /// and returned (printed once), as Jenkins does. Nil when users exist.
    public func createFirstAdministratorIfNeeded() async throws -> String? {
        guard try await store.userCount() == 0 else { return nil }
        let password = Secrets.token(bytes: 15)
        // Written before the user exists (a crash between cannot lose the only password), under a name
        // of its own; kept only when this manager created the user (another one on the same database
        // may have just done so: then its password is the one that works).
        let file = context.dataDirectory + "/admin.password"
        try LocalFile.writeAtomically(Array((password + "\n").utf8), to: file + ".new", mode: 0o600)
        do {
            try await addUser("admin", role: .administrator, password: password, actor: "exup-manager")
        } catch let error as ManagerError where error.code == "user-exists" {
            unlink(file + ".new")
            return nil
        }
        guard rename(file + ".new", file) == 0 else {
            throw ManagerError.invalid("cannot write \(file): \(String(cString: strerror(errno)))")
        }
        return password
    }

    public func addUser(_ name: String, role: UserRole, password: String, actor: String) async throws {
        guard Self.isValidName(name) else { throw ManagerError.invalid("a user name is 1-64 letters, digits, '-', '_', '.' or '@'") }
        try Self.checkPassword(password)
        let hash = try PasswordHash.make(password)
        let added = try await store.addUser(name: name, role: role, passwordHash: hash, created: clock())
        guard added else { throw ManagerError.conflict("user-exists", "a user named \(name) exists") }
        try await context.log(.userAdded, actor: actor, cause: "\(name) (\(role.rawValue))")
    }

    /// Removes a user and ends their sessions; the last administrator cannot be removed.
    public func removeUser(_ name: String, actor: String) async throws {
        try await changes.run {
            try await store.removeUser(named: name)
            sessions.withLock { cache in for (id, entry) in cache where entry.user == name { cache[id] = nil } }
        }
        try await context.log(.userRemoved, actor: actor, cause: name)
    }

    /// Sets a password; the user's other sessions end. `current` is required when a user changes their
    /// own through a session (a stolen session alone cannot take the account over), and counts as a login
    /// attempt from `source`; an administrator resetting another user's password is logged as such.
    public func setPassword(
        _ name: String, password: String, current: String?, requireCurrent: Bool, actor: String,
        source: String
    ) async throws {
        try Self.checkPassword(password)
        if requireCurrent {
            guard let current, !current.isEmpty else {
                throw ManagerError(
                    kind: .invalid, code: "current-password-required",
                    message: "changing your own password needs your current password (currentPassword)")
            }
            let attempt = loginGuard.withLock { $0.begin(source: source, user: name, now: clock()) }
            guard attempt.wait == 0 else {
                throw ManagerError(
                    kind: .throttled, code: "too-many-failures", message: "too many failed logins for \(name): try again in \(attempt.wait) s")
            }
            let stored = try await store.user(named: name)?.passwordHash
            let verified: Bool
            do { verified = try await passwordHashing.run { stored.map { PasswordHash.verify(current, against: $0) } ?? false } } catch {
                loginGuard.withLock { $0.abandoned(source: source, user: name) }
                throw ManagerError(kind: .throttled, code: "busy", message: "too many logins are being checked at once: try again in a few seconds")
            }
            guard verified else {
                let failures = attempt.failures
                try await context.log(
                    .loginFailed, actor: name, cause: "wrong current password when changing the password (\(failures) in a row from \(source))")
                throw ManagerError(
                    kind: .unauthorised, code: "wrong-current-password", message: "the current password is wrong: password not changed")
            }
        }
        if requireCurrent { loginGuard.withLock { $0.verified(source: source, user: name) } }
        let hash: String
        do { hash = try await passwordHashing.run { Result { try PasswordHash.make(password) } }.get() } catch is WorkLimiter.Busy {
            throw ManagerError(kind: .throttled, code: "busy", message: "too many passwords are being checked at once: try again in a few seconds")
        }
        let changed = try await changes.run {
            guard try await store.setPasswordHash(hash, of: name) else { return false }
            sessions.withLock { cache in for (id, entry) in cache where entry.user == name { cache[id] = nil } }
            return true
        }
        guard changed else { throw ManagerError.notFound("no user \(name)") }
        try await context.log(.userPasswordChanged, actor: actor, cause: actor == name ? name : "\(name) (reset by \(actor))")
    }

    public func users() async throws -> [UserSummary] {
        try await store.users().map { user in
            UserSummary(
                name: user.name, role: user.role, created: UTCTime(seconds: user.created).description,
                lastLogin: user.lastLogin.map { UTCTime(seconds: $0).description })
        }
    }

    /// The longest user name and password a login looks at (longer ones are refused before anything is
    /// hashed, logged or counted).
    public static let maximumUserNameBytes = 128
    /// Counted in Unicode code points, as the API document's `maxLength` counts (one rule on both sides).
    public static let maximumPasswordCharacters = 1024

    /// Checks a password and opens a session. Unknown users cost the same hashing as known ones. Runs off
    /// the manager's actor: the hash (PBKDF2) goes through a bounded pool, so a flood of logins cannot
    /// slow approvals, reports or enrolment. `source` is the client's address (see ClientSource).
    public func login(_ name: String, password: String, source: String) async throws -> LoginResult {
        guard (1...Self.maximumUserNameBytes).contains(name.utf8.count),
            password.unicodeScalars.count <= Self.maximumPasswordCharacters
        else {
            throw ManagerError.invalid(
                "a user name is 1-\(Self.maximumUserNameBytes) bytes and a password at most \(Self.maximumPasswordCharacters) characters")
        }
        // The attempt is counted before the hash, so parallel guesses cannot all pass this check.
        let attempt = loginGuard.withLock { $0.begin(source: source, user: name, now: clock()) }
        guard attempt.wait == 0 else {
            throw ManagerError(
                kind: .throttled, code: "too-many-failures",
                message: "too many failed logins for \(name): try again in \(attempt.wait) s")
        }
        let user = try await store.user(named: name)
        let stored: String =
            user?.passwordHash ?? "pbkdf2-sha256$\(PasswordHash.iterations)$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let verified: Bool
        do { verified = try await passwordHashing.run { PasswordHash.verify(password, against: stored) } } catch {
            loginGuard.withLock { $0.abandoned(source: source, user: name) }
            throw ManagerError(kind: .throttled, code: "busy", message: "too many logins are being checked at once: try again in a few seconds")
        }
        guard verified, let user else {
            let guarded = loginGuard.withLock { guardState -> (Int, Int64, Bool) in
                (attempt.failures, guardState.wait(source: source, user: name, now: clock()), guardState.worthLogging(attempt.failures))
            }
            if guarded.2 {
                let waiting = guarded.1 > 0 ? "; too many failed logins: logins of \(name) from \(source) wait \(guarded.1) s" : ""
                try await context.log(
                    .loginFailed, actor: name, cause: "wrong user name or password (\(guarded.0) in a row from \(source))\(waiting)")
            }
            throw ManagerError(kind: .unauthorised, code: "wrong-credentials", message: "wrong user name or password")
        }
        loginGuard.withLock { $0.verified(source: source, user: name) }
        let now = clock()
        let id = Secrets.token(bytes: 9), secret = Secrets.token(bytes: 32)
        let hmac = HMACSHA256.authenticate(Array(secret.utf8), key: context.credentialKey).hex
        let expires = now + Self.sessionSeconds
        // notices_seen is the id of the last application-log entry this user was shown (ids are exact;
        // times have one-second steps).
        let role = user.role
        let (notices, lastID) = try await packageNotices(afterID: user.noticesSeen)
        let session = SessionRecord(id: id, hmac: hmac, user: name, role: role, expires: expires), passwordHash = user.passwordHash
        let opened = try await changes.run {
            guard try await store.openSession(session, passwordHash: passwordHash, now: now, noticesSeen: lastID) else { return false }
            sessions.withLock { $0[id] = SessionEntry(hmac: hmac, user: name, role: role, expires: expires) }
            return true
        }
        guard opened else {
            throw ManagerError(
                kind: .unauthorised, code: "wrong-credentials", message: "the password of \(name) changed during the login: log in again")
        }
        return LoginResult(
            token: "exups_\(id).\(secret)", user: name, role: role, expiresAt: UTCTime(seconds: expires).description,
            notices: role.canApply ? notices : [])
    }

    public func logout(token: String) async throws {
        guard let (id, _) = Self.splitSession(token) else { return }
        // Through the gate, as every session change: a reload from the store cannot bring it back.
        try await changes.run {
            try await store.closeSession(id: id)
            sessions.withLock { $0[id] = nil }
        }
    }

    /// The user and role a session token belongs to; nil when unknown or expired. Constant-time comparison.
    public func session(token: String) -> (user: String, role: UserRole)? {
        guard let (id, secret) = Self.splitSession(token), let entry = sessions.withLock({ $0[id] }), entry.expires > clock() else { return nil }
        let presented = HMACSHA256.authenticate(Array(secret.utf8), key: context.credentialKey).bytes
        guard let stored = Digest(hex: entry.hmac)?.bytes, stored.count == presented.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(stored, presented) { difference |= a ^ b }
        return difference == 0 ? (entry.user, entry.role) : nil
    }

    /// New-package events ("X05") after a log entry id, and the newest id now.
    func packageNotices(afterID: Int64) async throws -> ([PackageNotice], Int64) {
        let catalog = context.repository.catalog
        return try await BlockingPool.shared.run {
            let lastID = try catalog.lastLogID()
            var query = AppLogQuery(afterID: afterID, limit: 1000)
            query.code = AppLogEvent.newPackagesDownloaded.code
            let notices = try catalog.logEntries(query).filter { $0.id <= lastID }
                .map { PackageNotice(time: UTCTime(seconds: $0.time).description, components: $0.cause ?? "") }
            return (notices, max(lastID, afterID))
        }
    }

    static func splitSession(_ token: String) -> (String, String)? {
        guard token.hasPrefix("exups_"), let dot = token.firstIndex(of: ".") else { return nil }
        return (String(token[token.index(token.startIndex, offsetBy: 6)..<dot]), String(token[token.index(after: dot)...]))
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || [0x2D, 0x5F, 0x2E, 0x40].contains(c)
            }
    }

    /// Characters are Unicode code points, as JSON Schema's `minLength` and `maxLength` count them.
    static func checkPassword(_ password: String) throws {
        let characters = password.unicodeScalars.count
        guard characters >= minimumPasswordLength else {
            throw ManagerError.invalid("a password needs at least \(minimumPasswordLength) characters")
        }
        guard characters <= maximumPasswordCharacters else {
            throw ManagerError.invalid("a password is at most \(maximumPasswordCharacters) characters")
        }
    }
}

/// A session as the manager keeps it in memory (the database has the same, for restarts).
struct SessionEntry: Sendable {
    var hmac: String
    var user: String
    var role: UserRole
    var expires: Int64
}
