import ExupCore
import ExupCrypto
import ExupSystem
import TUF

/// What a manager generates at first start and keeps in its data directory, 0600: the administrator
/// token, the repository password (other managers use it), and the repository's TUF keys. There are no
/// default passwords.
public struct Secrets: Sendable {
    public var adminToken: String
    public var repositoryPassword: String
    public var keys: RepositoryKeys
    /// True when this start created them (print them once).
    public var created: Bool
    /// Secret files anyone on the host can read: logged at every start.
    public var warnings: [String] = []

    /// A new repository password, written (0600) before it is returned: managers that use this repository
    /// need it from now on; the old one stops working.
    public static func rotateRepositoryPassword(_ paths: RepositoryPaths) throws -> String {
        let value = Secrets.token(bytes: 18)
        try LocalFile.writeAtomically(Array((value + "\n").utf8), to: paths.repositoryPassword, mode: 0o600)
        return value
    }

    /// Loads the secrets, creating whatever is missing (files written before the server listens). With a
    /// shared keys directory, replicas starting at once create them once: creation holds a lock there.
    public static func loadOrCreate(_ paths: RepositoryPaths) throws -> Secrets {
        try LocalFile.makeDirectories(paths.root, mode: 0o700)
        try LocalFile.makeDirectories(paths.secrets, mode: 0o700)
        try LocalFile.makeDirectories(paths.keys, mode: 0o700)
        let lock = try CreationLock(path: paths.secrets + "/.exup-create.lock")
        defer { lock.release() }
        try refuseSplitSecrets(paths)
        var created = false
        var warnings: [String] = []
        func secret(_ path: String, bytes: Int) throws -> String {
            if let contents = try SecretFile.read(path, limit: 4096) {
                if let warning = contents.warning { warnings.append(warning) }
                let text = contents.text.trimmingScalars(in: "\n\r ")
                if !text.isEmpty { return text }
            }
            let value = Secrets.token(bytes: bytes)
            try LocalFile.writeAtomically(Array((value + "\n").utf8), to: path, mode: 0o600)
            created = true
            return value
        }
        let admin = try secret(paths.adminToken, bytes: 32)
        let password = try secret(paths.repositoryPassword, bytes: 18)
        if paths.adminTokenCopy != paths.adminToken,
            (try? SecretFile.read(paths.adminTokenCopy, limit: 4096))??.text.trimmingScalars(in: "\n\r ") != admin
        {
            try LocalFile.writeAtomically(Array((admin + "\n").utf8), to: paths.adminTokenCopy, mode: 0o600)
        }
        if try SecretFile.read(paths.credentialKey, limit: 64) == nil {
            try LocalFile.writeAtomically(try SecureRandom.bytes(32), to: paths.credentialKey, mode: 0o600)
        }
        let (keys, newKeys) = try RepositoryKeys.loadOrCreate(directory: paths.keys, warnings: &warnings)
        return Secrets(adminToken: admin, repositoryPassword: password, keys: keys, created: created || newKeys, warnings: warnings)
    }

    /// With a shared keys directory that holds no keys yet while the data directory does (an existing
    /// manager given `[storage] keys-dir`), creating new ones would replace every key and secret: the
    /// agents' credentials, the token, the TUF root the agents pinned. Refused, with the move to make.
    static func refuseSplitSecrets(_ paths: RepositoryPaths) throws {
        guard let shared = paths.sharedKeys else { return }
        let own = paths.root
        let ownKeys = LocalFile.exists(own + "/keys/timestamp.pem") || LocalFile.exists(own + "/keys/root.pub.pem")
        let ownSecrets = ["admin.token", "repository.password", "agent-credentials.key"].filter { LocalFile.exists(own + "/" + $0) }
        let sharedHasKeys = LocalFile.exists(shared + "/timestamp.pem") || LocalFile.exists(shared + "/root.pub.pem")
        guard !sharedHasKeys, ownKeys || ownSecrets.contains("agent-credentials.key") else { return }
        throw FileError(
            path: shared,
            reason:
                "[storage] keys-dir \(shared) holds no keys, but this manager's data directory \(own) does: starting would make new ones "
                + "and every agent, token and pinned TUF root would stop working. Move them first (manager stopped): "
                + "cp -p \(own)/keys/* \(ownSecrets.map { own + "/" + $0 }.joined(separator: " ")) \(shared)/")
    }

    /// A random URL-safe token. It never begins with '-': a command line would take it for an option
    /// (`exup login --password -x…`, `exup --token -x…`).
    public static func token(bytes: Int) -> String {
        while true {
            let raw = (try? SecureRandom.bytes(bytes)) ?? []
            precondition(raw.count == bytes, "the system's random source failed")
            let token = Base64.encode(raw).replacingOccurrences("+", "-").replacingOccurrences("/", "_").replacingOccurrences("=", "")
            if !token.hasPrefix("-") { return token }
        }
    }
}

/// The repository's TUF signing keys: root (may be moved offline once root is published), targets,
/// snapshot, timestamp, and one key for the per-model delegated roles.
public struct RepositoryKeys: Sendable {
    public var root: Ed25519PrivateKey?
    public var rootPublic: Ed25519PublicKey
    public var targets: Ed25519PrivateKey
    public var snapshot: Ed25519PrivateKey
    public var timestamp: Ed25519PrivateKey
    public var models: Ed25519PrivateKey

    static let names = ["root", "targets", "snapshot", "timestamp", "models"]

    static func loadOrCreate(directory: String, warnings: inout [String]) throws -> (RepositoryKeys, Bool) {
        var created = false
        var loaded: [String: Ed25519PrivateKey] = [:]
        let rootPublicPath = directory + "/root.pub.pem"
        let hasRootPublic = LocalFile.exists(rootPublicPath)
        for name in names {
            let path = directory + "/\(name).pem"
            if let contents = try SecretFile.read(path, limit: 16 << 10) {
                if let warning = contents.warning { warnings.append(warning) }
                loaded[name] = try Ed25519PrivateKey(pem: contents.text)
            } else if name == "root" && hasRootPublic {
                continue  // moved offline: the public half is enough to serve
            } else {
                let key = try Ed25519PrivateKey.generate()
                try LocalFile.writeAtomically(Array(try key.pem.utf8), to: path, mode: 0o600)
                loaded[name] = key
                created = true
            }
        }
        let rootPublic: Ed25519PublicKey
        if let root = loaded["root"] {
            rootPublic = root.publicKey
            if !hasRootPublic { try LocalFile.writeAtomically(Array(try rootPublic.pem.utf8), to: rootPublicPath, mode: 0o644) }
        } else {
            rootPublic = try Ed25519PublicKey(pem: LocalFile.readText(rootPublicPath, limit: 16 << 10) ?? "")
        }
        return (
            RepositoryKeys(
                root: loaded["root"], rootPublic: rootPublic, targets: loaded["targets"]!, snapshot: loaded["snapshot"]!,
                timestamp: loaded["timestamp"]!, models: loaded["models"]!), created
        )
    }
}

extension String {
    func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
