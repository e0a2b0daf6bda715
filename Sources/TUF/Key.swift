import ExupCrypto
import ExupFormats

/// A public key in TUF's form: `{"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": HEX}}`.
/// Only Ed25519 verifies; other key types parse (so metadata naming them loads) but never count.
public struct TUFKey: Sendable, Hashable {
    public var keytype: String
    public var scheme: String
    public var keyval: [String: JSON]
    public var unrecognized: [String: JSON]

    public init(keytype: String, scheme: String, keyval: [String: JSON], unrecognized: [String: JSON] = [:]) {
        self.keytype = keytype
        self.scheme = scheme
        self.keyval = keyval
        self.unrecognized = unrecognized
    }

    public init(ed25519 key: Ed25519PublicKey) {
        self.init(keytype: "ed25519", scheme: "ed25519", keyval: ["public": .string(Hex.encode(key.raw))])
    }

    init(json: JSON, role: String, id: String) throws(TUFError) {
        var f = try Fields(json, role: role, context: "key \(id)")
        keytype = try f.string("keytype")
        scheme = try f.string("scheme")
        keyval = try f.object("keyval")
        unrecognized = f.rest
    }

    public var json: JSON {
        .object(["keytype": .string(keytype), "scheme": .string(scheme), "keyval": .object(keyval)].merging(unrecognized: unrecognized))
    }

    /// The key id: SHA-256 of the key's canonical JSON, in hex (TUF specification, "KEYID").
    public var keyID: String { SHA256Hasher.hash(json.canonicalBytes).hex }

    /// The Ed25519 public key, when this is one.
    public var ed25519: Ed25519PublicKey? {
        guard keytype == "ed25519", scheme == "ed25519", let hex = keyval["public"]?.string,
            let raw = Hex.decode(hex), raw.count == 32
        else { return nil }
        return try? Ed25519PublicKey(raw: raw)
    }

    /// Whether `signature` is this key's over `message`. Ed25519 is what exup writes; ECDSA and RSA
    /// (securesystemslib's schemes) verify too, so metadata from other TUF tooling loads.
    public func verifies(signature: [UInt8], over message: [UInt8]) -> Bool {
        if let ed25519 { return ed25519.isValidSignature(signature, for: message) }
        guard let pem = keyval["public"]?.string, let key = try? PEMPublicKey(pem: pem) else { return false }
        switch (keytype, scheme) {
        case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"):
            return key.isEC && key.verify(signature: signature, message: message, digest: "sha256", padding: .none)
        case ("ecdsa", "ecdsa-sha2-nistp384"), ("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"):
            return key.isEC && key.verify(signature: signature, message: message, digest: "sha384", padding: .none)
        case ("rsa", let s) where s.hasPrefix("rsassa-pss-"):
            return key.isRSA && key.verify(signature: signature, message: message, digest: String(s.dropFirst(11)), padding: .pss)
        case ("rsa", let s) where s.hasPrefix("rsa-pkcs1v15-"):
            return key.isRSA && key.verify(signature: signature, message: message, digest: String(s.dropFirst(13)), padding: .pkcs1)
        default:
            return false
        }
    }
}

/// A role's keys and threshold (in root, or in a delegation).
public struct RoleKeys: Sendable, Hashable {
    public var keyIDs: [String]
    public var threshold: Int
    public var unrecognized: [String: JSON]

    public init(keyIDs: [String], threshold: Int, unrecognized: [String: JSON] = [:]) {
        self.keyIDs = keyIDs
        self.threshold = threshold
        self.unrecognized = unrecognized
    }

    init(fields f: inout Fields) throws(TUFError) {
        keyIDs = try f.stringArray("keyids")
        guard Set(keyIDs).count == keyIDs.count else { throw f.fail("duplicate key ids") }
        threshold = try f.int("threshold")
        guard threshold >= 1 else { throw f.fail("threshold must be at least 1") }
        unrecognized = [:]
    }

    var fields: [String: JSON] { ["keyids": .array(keyIDs.map(JSON.string)), "threshold": .int(Int64(threshold))] }
}
