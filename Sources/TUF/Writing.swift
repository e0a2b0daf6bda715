import ExupCrypto
import ExupFormats

/// The writing side, used by the repository: build roles, rotate keys, sign, describe files.

extension Root {
    /// A root naming one set of Ed25519 keys per top-level role (thresholds default to 1).
    public static func make(
        version: Int = 1, expires: UTCTime, keys roleKeys: [String: [Ed25519PublicKey]],
        thresholds: [String: Int] = [:], consistentSnapshot: Bool = true
    ) -> Root {
        var root = Root(version: version, expires: expires, keys: [:], roles: [:], consistentSnapshot: consistentSnapshot)
        for role in Root.topLevelRoles.sorted() {
            root.setKeys(roleKeys[role] ?? [], threshold: thresholds[role] ?? 1, for: role)
        }
        return root
    }

    /// Replaces `role`'s keys and threshold (a rotation); keys no role uses any more are dropped.
    public mutating func setKeys(_ newKeys: [Ed25519PublicKey], threshold: Int, for role: String) {
        let tufKeys = newKeys.map(TUFKey.init(ed25519:))
        for key in tufKeys { keys[key.keyID] = key }
        roles[role] = RoleKeys(keyIDs: tufKeys.map(\.keyID), threshold: threshold)
        let used = Set(roles.values.flatMap(\.keyIDs))
        keys = keys.filter { used.contains($0.key) }
    }

    /// The next root: same keys, version + 1 (root versions must be consecutive for clients to follow).
    public func next(expires: UTCTime) -> Root {
        var root = self
        root.common.version += 1
        root.common.expires = expires
        return root
    }
}

/// Root rotation (specification 5.3.4–5.3.5): a new root must be signed by a threshold of the old root's
/// root keys and by a threshold of its own.
public enum RootRotation {
    public static func sign(_ newRoot: Root, oldRootKeys: [Ed25519PrivateKey], newRootKeys: [Ed25519PrivateKey]) throws -> Envelope {
        var seen = Set<[UInt8]>()
        let all = (oldRootKeys + newRootKeys).filter { seen.insert($0.raw).inserted }
        return try Envelope.signing(newRoot.json, with: all)
    }
}

extension Snapshot {
    /// A snapshot naming each targets role's current version (and its length and SHA-256).
    public static func describing(_ roles: [String: (bytes: [UInt8], version: Int)], version: Int, expires: UTCTime) -> Snapshot {
        var meta: [String: MetaFile] = [:]
        for (role, file) in roles { meta["\(role).json"] = MetaFile(describing: file.bytes, version: file.version) }
        return Snapshot(version: version, expires: expires, meta: meta)
    }
}

extension Timestamp {
    public static func describing(snapshot bytes: [UInt8], snapshotVersion: Int, version: Int, expires: UTCTime) -> Timestamp {
        Timestamp(version: version, expires: expires, snapshotMeta: MetaFile(describing: bytes, version: snapshotVersion))
    }
}

extension TargetFile {
    /// Describes a target from its bytes: length and SHA-256, plus the repository's custom data.
    public static func describing(path: String, bytes: [UInt8], custom: JSON? = nil) -> TargetFile {
        TargetFile(path: path, length: bytes.count, hashes: ["sha256": SHA256Hasher.hash(bytes).hex], custom: custom)
    }

    /// Describes a target from a file, hashed in a stream (packages can be gigabytes).
    public static func describing(path: String, file: String, custom: JSON? = nil) throws -> TargetFile {
        let (length, digest) = try FileDigest.sha256(path: file)
        return TargetFile(path: path, length: Int(length), hashes: ["sha256": digest.hex], custom: custom)
    }
}

/// File names a repository publishes under consistent snapshots.
public enum ConsistentNames {
    /// `N.ROLE.json`, the role URL-quoted (`3.models%2Fr120h.json`).
    public static func metadata(role: String, version: Int) -> String { "\(version).\(URLQuoting.quote(role)).json" }

    /// `DIR/HASH.NAME` for target `DIR/NAME`.
    public static func target(path: String, sha256: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "\(sha256).\(path)" }
        return String(path[...slash]) + sha256 + "." + String(path[path.index(after: slash)...])
    }
}

/// Versions for timestamp, snapshot and targets taken from the clock, so that a repository restored
/// from an older backup still publishes versions above what clients trust. (Root versions cannot
/// follow the clock: clients walk them one by one.)
public enum MetadataVersion {
    public static func next(after previous: Int, now: UTCTime) -> Int {
        max(previous + 1, Int(clamping: now.seconds))
    }
}
