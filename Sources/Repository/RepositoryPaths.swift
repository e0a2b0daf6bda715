import ExupCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Where a manager keeps its state: under one data directory, except what `[storage]` in manager.toml
/// puts where several replicas share it (the package pool, and the keys directory with the secrets).
public struct RepositoryPaths: Sendable {
    public let root: String
    /// `[storage] pool-dir`, when the pool is shared (nil: DATA/pool).
    public let sharedPool: String?
    /// `[storage] keys-dir`, when the TUF keys and the shared secrets are (nil: DATA/keys and DATA).
    public let sharedKeys: String?

    public init(dataDirectory: String, poolDirectory: String? = nil, keysDirectory: String? = nil) {
        root = Self.trimmed(dataDirectory)
        sharedPool = poolDirectory.map(Self.trimmed)
        sharedKeys = keysDirectory.map(Self.trimmed)
    }

    static func trimmed(_ path: String) -> String { path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path }

    /// The SQLite catalog (WAL mode).
    public var catalog: String { root + "/catalog.sqlite" }
    /// Content-addressed package files: `pool/ab/abcdef….zip`.
    public var pool: String { sharedPool ?? root + "/pool" }
    /// Uploads and downloads in progress, moved into the pool by rename once verified, so on the pool's
    /// file system: in a shared pool each replica has its own (`.incoming/HOST-…`), so a replica's start
    /// never removes another one's upload in progress.
    public var incoming: String {
        guard let sharedPool else { return root + "/incoming" }
        return sharedPool + "/.incoming/" + Self.replicaName(dataDirectory: root)
    }
    /// Export archives being built or waiting to be downloaded.
    public var exports: String { root + "/exports" }
    /// The repository's TUF signing keys (PKCS#8 PEM, 0600); `root.pem` may be moved offline.
    public var keys: String { sharedKeys ?? root + "/keys" }
    /// Vendor public keys packages are verified against, unless configured elsewhere.
    public var trustedKeys: String { root + "/trusted-keys" }
    /// Where the secrets every replica must agree on live: the keys directory when it is shared.
    public var secrets: String { sharedKeys ?? root }
    public var adminToken: String { secrets + "/admin.token" }
    public var repositoryPassword: String { secrets + "/repository.password" }
    /// The key agents' credentials and users' sessions are checked with.
    public var credentialKey: String { secrets + "/agent-credentials.key" }
    /// The administrator token's copy in the data directory, where operators and scripts look for it.
    public var adminTokenCopy: String { root + "/admin.token" }

    public func poolFile(sha256: String) -> String {
        pool + "/" + sha256.prefix(2) + "/" + sha256 + ".zip"
    }

    /// This host's name and a digest of the data directory's path: unique per replica, stable across restarts.
    static func replicaName(dataDirectory: String) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count - 1) == 0 ? String(cString: buffer) : "host"
        let safe = String(host.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(64))
        let absolute =
            realpath(dataDirectory, nil).map { pointer in
                defer { free(pointer) }; return String(cString: pointer)
            } ?? dataDirectory
        return safe + "-" + String(SHA256Hasher.hash(Array(absolute.utf8)).hex.prefix(12))
    }
}
