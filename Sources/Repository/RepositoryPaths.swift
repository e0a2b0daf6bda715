/// Where a manager keeps its state, all under one data directory.
public struct RepositoryPaths: Sendable {
    public let root: String

    public init(dataDirectory: String) {
        root = dataDirectory.hasSuffix("/") && dataDirectory.count > 1 ? String(dataDirectory.dropLast()) : dataDirectory
    }

    /// The SQLite catalog (WAL mode).
    public var catalog: String { root + "/catalog.sqlite" }
    /// Content-addressed package files: `pool/ab/abcdef….zip`.
    public var pool: String { root + "/pool" }
    /// Uploads and downloads in progress (moved into the pool only once verified).
    public var incoming: String { root + "/incoming" }
    /// Export archives being built or waiting to be downloaded.
    public var exports: String { root + "/exports" }
    /// The repository's TUF signing keys (PKCS#8 PEM, 0600); `root.pem` may be moved offline.
    public var keys: String { root + "/keys" }
    /// Vendor public keys packages are verified against, unless configured elsewhere.
    public var trustedKeys: String { root + "/trusted-keys" }
    public var adminToken: String { root + "/admin.token" }
    public var repositoryPassword: String { root + "/repository.password" }

    public func poolFile(sha256: String) -> String {
        pool + "/" + sha256.prefix(2) + "/" + sha256 + ".zip"
    }
}
