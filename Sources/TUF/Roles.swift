import ExupCrypto
import ExupFormats

/// The fields every role's `signed` part has.
public struct CommonFields: Sendable, Hashable {
    public var type: String
    public var specVersion: String
    public var version: Int
    public var expires: UTCTime

    public static let specVersion = "1.0.31"

    public init(type: String, version: Int, expires: UTCTime, specVersion: String = CommonFields.specVersion) {
        self.type = type
        self.specVersion = specVersion
        self.version = version
        self.expires = expires
    }

    init(fields f: inout Fields, expectedType: String) throws(TUFError) {
        type = try f.string("_type")
        guard type == expectedType else { throw .wrongType(expected: expectedType, got: type) }
        version = try f.int("version")
        guard version >= 1 else { throw f.fail("version must be at least 1") }
        specVersion = try f.string("spec_version")
        let parts = specVersion.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigitChar) }), parts[0] == "1" else {
            throw .unsupportedSpecVersion(role: f.role, version: specVersion)
        }
        let expiresText = try f.string("expires")
        guard let time = UTCTime(expiresText) else { throw f.fail("expires \"\(expiresText)\" is not YYYY-MM-DDTHH:MM:SSZ") }
        expires = time
    }

    var fields: [String: JSON] {
        ["_type": .string(type), "spec_version": .string(specVersion), "version": .int(Int64(version)), "expires": .string(expires.description)]
    }

    public func isExpired(at time: UTCTime) -> Bool { expires <= time }
}

extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}

/// `meta` entries of timestamp and snapshot: a role file's version, and optionally length and hashes.
public struct MetaFile: Sendable, Hashable {
    public var version: Int
    public var length: Int?
    public var hashes: [String: String]?
    public var unrecognized: [String: JSON]

    public init(version: Int, length: Int? = nil, hashes: [String: String]? = nil, unrecognized: [String: JSON] = [:]) {
        self.version = version
        self.length = length
        self.hashes = hashes
        self.unrecognized = unrecognized
    }

    /// Describes metadata bytes: version, length and SHA-256.
    public init(describing bytes: [UInt8], version: Int) {
        self.init(version: version, length: bytes.count, hashes: ["sha256": SHA256Hasher.hash(bytes).hex])
    }

    init(json: JSON, role: String, name: String) throws(TUFError) {
        var f = try Fields(json, role: role, context: "meta \(name)")
        version = try f.int("version")
        guard version >= 1 else { throw f.fail("version must be at least 1") }
        if let l = f.optional("length") {
            guard let n = l.int, n >= 0 else { throw f.fail("length must be a non-negative integer") }
            length = Int(n)
        }
        if let h = f.optional("hashes") { hashes = try Hashes.parse(h, fields: f) }
        unrecognized = f.rest
    }

    var json: JSON {
        var fields: [String: JSON] = ["version": .int(Int64(version))]
        if let length { fields["length"] = .int(Int64(length)) }
        if let hashes { fields["hashes"] = .object(hashes.mapValues(JSON.string)) }
        return .object(fields.merging(unrecognized: unrecognized))
    }

    /// Checks downloaded metadata against the length and hashes named here, when they are named.
    public func verify(_ bytes: [UInt8], name: String) throws(TUFError) {
        if let length, bytes.count != length {
            throw .lengthOrHash(name: name, reason: "\(bytes.count) bytes where \(length) were expected")
        }
        if let hashes { try Hashes.verify(bytes, against: hashes, name: name) }
    }
}

/// A target: length, hashes, and the repository's `custom` data.
public struct TargetFile: Sendable, Hashable {
    public var path: String
    public var length: Int
    public var hashes: [String: String]
    public var unrecognized: [String: JSON]

    public init(path: String, length: Int, hashes: [String: String], custom: JSON? = nil) {
        self.path = path
        self.length = length
        self.hashes = hashes
        unrecognized = custom.map { ["custom": $0] } ?? [:]
    }

    public var custom: JSON? { unrecognized["custom"] }

    init(json: JSON, role: String, path: String) throws(TUFError) {
        var f = try Fields(json, role: role, context: "target \(path)")
        self.path = path
        let l = try f.int("length")
        guard l >= 0 else { throw f.fail("length must be non-negative") }
        length = l
        hashes = try Hashes.parse(try f.take("hashes"), fields: f)
        unrecognized = f.rest
    }

    var json: JSON {
        .object(["length": .int(Int64(length)), "hashes": .object(hashes.mapValues(JSON.string))].merging(unrecognized: unrecognized))
    }

    public func verify(_ bytes: [UInt8]) throws(TUFError) {
        guard bytes.count == length else { throw .lengthOrHash(name: path, reason: "\(bytes.count) bytes where \(length) were expected") }
        try Hashes.verify(bytes, against: hashes, name: path)
    }
}

/// Hash dictionaries (`{"sha256": HEX, "sha512": HEX}`): every listed hash is checked.
enum Hashes {
    static func parse(_ json: JSON, fields f: Fields) throws(TUFError) -> [String: String] {
        guard let object = json.object, !object.isEmpty else { throw f.fail("hashes must be a non-empty object") }
        var out: [String: String] = [:]
        for (algorithm, value) in object {
            guard let hex = value.string else { throw f.fail("hash \(algorithm) must be a string") }
            out[algorithm] = hex
        }
        return out
    }

    static func verify(_ bytes: [UInt8], against hashes: [String: String], name: String) throws(TUFError) {
        for (algorithm, expected) in hashes.sorted(by: { $0.key < $1.key }) {
            guard let kind = DigestAlgorithm(rawValue: algorithm) else {
                throw .lengthOrHash(name: name, reason: "unsupported hash algorithm \(algorithm)")
            }
            guard kind.digest(bytes).hex == expected.lowercased() else {
                throw .lengthOrHash(name: name, reason: "\(algorithm) mismatch")
            }
        }
    }
}

public struct Root: Sendable, Hashable {
    public static let type = "root"
    public static let topLevelRoles: Set<String> = ["root", "timestamp", "snapshot", "targets"]

    public var common: CommonFields
    public var consistentSnapshot: Bool
    public var keys: [String: TUFKey]
    public var roles: [String: RoleKeys]
    public var unrecognized: [String: JSON]

    public init(version: Int, expires: UTCTime, keys: [String: TUFKey], roles: [String: RoleKeys], consistentSnapshot: Bool = true) {
        common = CommonFields(type: Root.type, version: version, expires: expires)
        self.consistentSnapshot = consistentSnapshot
        self.keys = keys
        self.roles = roles
        unrecognized = [:]
    }

    public init(json: JSON) throws(TUFError) {
        var f = try Fields(json, role: Root.type, context: "signed")
        common = try CommonFields(fields: &f, expectedType: Root.type)
        consistentSnapshot = f.rest["consistent_snapshot"] == nil ? false : try f.bool("consistent_snapshot")
        keys = [:]
        for (id, key) in try f.object("keys") { keys[id] = try TUFKey(json: key, role: Root.type, id: id) }
        roles = [:]
        for (name, role) in try f.object("roles") {
            var rf = try Fields(role, role: Root.type, context: "role \(name)")
            var keys = try RoleKeys(fields: &rf)
            keys.unrecognized = rf.rest
            roles[name] = keys
        }
        guard Set(roles.keys) == Root.topLevelRoles else {
            throw f.fail("roles must be exactly root, timestamp, snapshot and targets")
        }
        unrecognized = f.rest
    }

    public var json: JSON {
        var fields = common.fields
        fields["consistent_snapshot"] = .bool(consistentSnapshot)
        fields["keys"] = .object(keys.mapValues(\.json))
        fields["roles"] = .object(roles.mapValues { .object($0.fields.merging(unrecognized: $0.unrecognized)) })
        return .object(fields.merging(unrecognized: unrecognized))
    }

    /// The keys and threshold for a top-level role.
    func delegation(for role: String) -> (keys: [String: TUFKey], role: RoleKeys)? {
        roles[role].map { (keys, $0) }
    }
}

public struct Timestamp: Sendable, Hashable {
    public static let type = "timestamp"
    public var common: CommonFields
    public var snapshotMeta: MetaFile
    public var unrecognized: [String: JSON]

    public init(version: Int, expires: UTCTime, snapshotMeta: MetaFile) {
        common = CommonFields(type: Timestamp.type, version: version, expires: expires)
        self.snapshotMeta = snapshotMeta
        unrecognized = [:]
    }

    public init(json: JSON) throws(TUFError) {
        var f = try Fields(json, role: Timestamp.type, context: "signed")
        common = try CommonFields(fields: &f, expectedType: Timestamp.type)
        let meta = try f.object("meta")
        guard meta.count == 1, let snapshot = meta["snapshot.json"] else { throw f.fail("meta must name exactly snapshot.json") }
        snapshotMeta = try MetaFile(json: snapshot, role: Timestamp.type, name: "snapshot.json")
        unrecognized = f.rest
    }

    public var json: JSON {
        var fields = common.fields
        fields["meta"] = .object(["snapshot.json": snapshotMeta.json])
        return .object(fields.merging(unrecognized: unrecognized))
    }
}

public struct Snapshot: Sendable, Hashable {
    public static let type = "snapshot"
    public var common: CommonFields
    public var meta: [String: MetaFile]
    public var unrecognized: [String: JSON]

    public init(version: Int, expires: UTCTime, meta: [String: MetaFile]) {
        common = CommonFields(type: Snapshot.type, version: version, expires: expires)
        self.meta = meta
        unrecognized = [:]
    }

    public init(json: JSON) throws(TUFError) {
        var f = try Fields(json, role: Snapshot.type, context: "signed")
        common = try CommonFields(fields: &f, expectedType: Snapshot.type)
        meta = [:]
        for (name, entry) in try f.object("meta") { meta[name] = try MetaFile(json: entry, role: Snapshot.type, name: name) }
        unrecognized = f.rest
    }

    public var json: JSON {
        var fields = common.fields
        fields["meta"] = .object(meta.mapValues(\.json))
        return .object(fields.merging(unrecognized: unrecognized))
    }
}
