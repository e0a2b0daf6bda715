import ExupCrypto
import ExupFormats

public struct Targets: Sendable, Hashable {
    public static let type = "targets"
    public var common: CommonFields
    public var targets: [String: TargetFile]
    public var delegations: Delegations?
    public var unrecognized: [String: JSON]

    public init(version: Int, expires: UTCTime, targets: [String: TargetFile] = [:], delegations: Delegations? = nil) {
        common = CommonFields(type: Targets.type, version: version, expires: expires)
        self.targets = targets
        self.delegations = delegations
        unrecognized = [:]
    }

    public init(json: JSON, role: String = Targets.type) throws(TUFError) {
        var f = try Fields(json, role: role, context: "signed")
        common = try CommonFields(fields: &f, expectedType: Targets.type)
        targets = [:]
        for (path, entry) in try f.object("targets") { targets[path] = try TargetFile(json: entry, role: role, path: path) }
        delegations = try f.optional("delegations").map { (d) throws(TUFError) in try Delegations(json: d, role: role) }
        unrecognized = f.rest
    }

    public var json: JSON {
        var fields = common.fields
        fields["targets"] = .object(targets.mapValues(\.json))
        if let delegations { fields["delegations"] = delegations.json }
        return .object(fields.merging(unrecognized: unrecognized))
    }
}

/// A targets role's delegations: keys, and either an ordered list of roles or succinct hash bins.
public struct Delegations: Sendable, Hashable {
    public var keys: [String: TUFKey]
    public var roles: [DelegatedRole]?
    public var succinctRoles: SuccinctRoles?
    public var unrecognized: [String: JSON]

    public init(keys: [String: TUFKey], roles: [DelegatedRole]) {
        self.keys = keys
        self.roles = roles
        succinctRoles = nil
        unrecognized = [:]
    }

    public init(keys: [String: TUFKey], succinctRoles: SuccinctRoles) {
        self.keys = keys
        roles = nil
        self.succinctRoles = succinctRoles
        unrecognized = [:]
    }

    init(json: JSON, role: String) throws(TUFError) {
        var f = try Fields(json, role: role, context: "delegations")
        keys = [:]
        for (id, key) in try f.object("keys") { keys[id] = try TUFKey(json: key, role: role, id: id) }
        let list = f.optional("roles"), succinct = f.optional("succinct_roles")
        guard (list == nil) != (succinct == nil) else { throw f.fail("exactly one of roles and succinct_roles must be set") }
        if let list {
            guard let items = list.array else { throw f.fail("roles must be an array") }
            var parsed: [DelegatedRole] = []
            for item in items { parsed.append(try DelegatedRole(json: item, role: role)) }
            guard Set(parsed.map(\.name)).count == parsed.count else { throw f.fail("duplicate delegated role names") }
            roles = parsed
        }
        if let succinct { succinctRoles = try SuccinctRoles(json: succinct, role: role) }
        unrecognized = f.rest
    }

    var json: JSON {
        var fields: [String: JSON] = ["keys": .object(keys.mapValues(\.json))]
        if let roles { fields["roles"] = .array(roles.map(\.json)) }
        if let succinctRoles { fields["succinct_roles"] = succinctRoles.json }
        return .object(fields.merging(unrecognized: unrecognized))
    }

    /// The roles trusted for `path`, in order, each with its terminating flag.
    public func roles(for path: String) -> [(name: String, terminating: Bool)] {
        if let succinctRoles { return [(succinctRoles.role(for: path), true)] }
        return (roles ?? []).filter { $0.isDelegated(path: path) }.map { ($0.name, $0.terminating) }
    }

    /// The keys and threshold of a delegated role, when this delegator names it.
    func delegation(for name: String) -> (keys: [String: TUFKey], role: RoleKeys)? {
        if let role = roles?.first(where: { $0.name == name }) { return (keys, role.keys) }
        if let succinctRoles, succinctRoles.isDelegated(name) { return (keys, succinctRoles.keys) }
        return nil
    }
}

public struct DelegatedRole: Sendable, Hashable {
    public var name: String
    public var keys: RoleKeys
    public var terminating: Bool
    public var paths: [String]?
    public var pathHashPrefixes: [String]?
    public var unrecognized: [String: JSON]

    public init(name: String, keys: RoleKeys, terminating: Bool = false, paths: [String]? = nil, pathHashPrefixes: [String]? = nil) {
        self.name = name
        self.keys = keys
        self.terminating = terminating
        self.paths = paths
        self.pathHashPrefixes = pathHashPrefixes
        unrecognized = [:]
    }

    init(json: JSON, role: String) throws(TUFError) {
        var f = try Fields(json, role: role, context: "delegated role")
        name = try f.string("name")
        guard !name.isEmpty, !Root.topLevelRoles.contains(name) else { throw f.fail("delegated role name \"\(name)\" is not allowed") }
        keys = try RoleKeys(fields: &f)
        terminating = try f.bool("terminating")
        let hasPaths = f.rest["paths"] != nil, hasPrefixes = f.rest["path_hash_prefixes"] != nil
        guard hasPaths != hasPrefixes else { throw f.fail("role \(name) needs exactly one of paths and path_hash_prefixes") }
        if hasPaths { paths = try f.stringArray("paths") }
        if hasPrefixes { pathHashPrefixes = try f.stringArray("path_hash_prefixes") }
        unrecognized = f.rest
    }

    var json: JSON {
        var fields = keys.fields
        fields["name"] = .string(name)
        fields["terminating"] = .bool(terminating)
        if let paths { fields["paths"] = .array(paths.map(JSON.string)) }
        if let pathHashPrefixes { fields["path_hash_prefixes"] = .array(pathHashPrefixes.map(JSON.string)) }
        return .object(fields.merging(unrecognized: unrecognized.merging(keys.unrecognized) { a, _ in a }))
    }

    /// Whether this role is trusted for `path`: glob patterns match segment by segment (`*` never crosses `/`).
    public func isDelegated(path: String) -> Bool {
        if let pathHashPrefixes {
            let digest = SHA256Hasher.hash(Array(path.utf8)).hex
            return pathHashPrefixes.contains { digest.hasPrefix($0) }
        }
        let targetParts = path.split(separator: "/", omittingEmptySubsequences: false)
        return (paths ?? []).contains { pattern in
            let patternParts = pattern.split(separator: "/", omittingEmptySubsequences: false)
            guard patternParts.count == targetParts.count else { return false }
            return zip(targetParts, patternParts).allSatisfy { Glob.matches(Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) }
        }
    }
}

/// Hash-bin delegation (TAP 15): `2^bitLength` bins named `prefix-HEX`.
public struct SuccinctRoles: Sendable, Hashable {
    public var keys: RoleKeys
    public var bitLength: Int
    public var namePrefix: String
    public var unrecognized: [String: JSON]

    public init(keys: RoleKeys, bitLength: Int, namePrefix: String) {
        self.keys = keys
        self.bitLength = bitLength
        self.namePrefix = namePrefix
        unrecognized = [:]
    }

    init(json: JSON, role: String) throws(TUFError) {
        var f = try Fields(json, role: role, context: "succinct_roles")
        keys = try RoleKeys(fields: &f)
        bitLength = try f.int("bit_length")
        guard (1...32).contains(bitLength) else { throw f.fail("bit_length must be between 1 and 32") }
        namePrefix = try f.string("name_prefix")
        unrecognized = f.rest
    }

    var json: JSON {
        var fields = keys.fields
        fields["bit_length"] = .int(Int64(bitLength))
        fields["name_prefix"] = .string(namePrefix)
        return .object(fields.merging(unrecognized: unrecognized))
    }

    var suffixLength: Int { String((1 << bitLength) - 1, radix: 16).count }

    public func role(for path: String) -> String {
        let digest = SHA256Hasher.hash(Array(path.utf8)).bytes
        let top = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
        let bin = top >> UInt32(32 - bitLength)
        let hex = String(bin, radix: 16)
        return "\(namePrefix)-" + String(repeating: "0", count: suffixLength - hex.count) + hex
    }

    func isDelegated(_ name: String) -> Bool {
        let prefix = namePrefix + "-"
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.dropFirst(prefix.count)
        guard suffix.count == suffixLength, let n = UInt64(suffix, radix: 16) else { return false }
        return n < (UInt64(1) << UInt64(bitLength))
    }
}

/// Python's `fnmatch.fnmatch` for one path segment: `*`, `?`, `[seq]`, `[!seq]`.
enum Glob {
    static func matches(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
        var t = 0, p = 0, starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count, let width = matchOne(text[t], pattern, p) {
                t += 1; p += width
            } else if p < pattern.count, pattern[p] == "*" {
                starP = p; starT = t; p += 1
            } else if starP >= 0 {
                p = starP + 1; starT += 1; t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// When pattern position `p` (not `*`) matches `c`, the pattern width consumed.
    private static func matchOne(_ c: Unicode.Scalar, _ pattern: [Unicode.Scalar], _ p: Int) -> Int? {
        switch pattern[p] {
        case "*": return nil
        case "?": return 1
        case "[":
            var i = p + 1
            var negate = false
            if i < pattern.count, pattern[i] == "!" { negate = true; i += 1 }
            var matched = false
            var first = true
            while i < pattern.count, pattern[i] != "]" || first {
                first = false
                if i + 2 < pattern.count, pattern[i + 1] == "-", pattern[i + 2] != "]" {
                    if pattern[i].value <= c.value && c.value <= pattern[i + 2].value { matched = true }
                    i += 3
                } else {
                    if pattern[i] == c { matched = true }
                    i += 1
                }
            }
            guard i < pattern.count else { return pattern[p] == c ? 1 : nil }  // no closing ]: a literal [
            return matched != negate ? i - p + 1 : nil
        default:
            return pattern[p] == c ? 1 : nil
        }
    }
}
