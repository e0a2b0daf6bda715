import ExupCrypto
import ExupFormats

/// One metadata file: the `signed` object exactly as received (so unknown fields stay covered by the
/// signatures) and its signatures, keyed by key id.
public struct Envelope: Sendable {
    public var signed: JSON
    public var signatures: [String: [UInt8]]

    /// Parses `{"signed": {…}, "signatures": [{"keyid": …, "sig": HEX}, …]}`.
    public init(bytes: [UInt8], role: String) throws(TUFError) {
        let json: JSON
        do { json = try JSON.parse(bytes) } catch { throw .malformed(role: role, reason: error.description) }
        var f = try Fields(json, role: role, context: "metadata")
        signed = try f.take("signed")
        guard signed.object != nil else { throw f.fail("\"signed\" must be an object") }
        guard let list = try f.take("signatures").array else { throw f.fail("\"signatures\" must be an array") }
        signatures = [:]
        for item in list {
            var s = try Fields(item, role: role, context: "signature")
            let keyID = try s.string("keyid")
            let hex = try s.string("sig")
            guard signatures[keyID] == nil else { throw s.fail("two signatures by key \(keyID)") }
            signatures[keyID] = Hex.decode(hex) ?? []
        }
    }

    public init(signed: JSON, signatures: [String: [UInt8]] = [:]) {
        self.signed = signed
        self.signatures = signatures
    }

    /// The bytes the signatures cover.
    public var signedBytes: [UInt8] { signed.canonicalBytes }

    /// Counts the distinct authorised keys whose signature verifies; throws below the threshold.
    public func verify(role: String, keys: [String: TUFKey], roleKeys: RoleKeys, version: Int) throws(TUFError) {
        let message = signedBytes
        var valid = Set<String>()
        for keyID in roleKeys.keyIDs {
            guard let key = keys[keyID], let signature = signatures[keyID] else { continue }
            if key.verifies(signature: signature, over: message) { valid.insert(keyID) }
        }
        guard valid.count >= roleKeys.threshold else {
            throw .signatureThreshold(role: role, version: version, valid: valid.count, threshold: roleKeys.threshold)
        }
    }

    /// Adds (or replaces) a signature by each key.
    public mutating func sign(with keys: [Ed25519PrivateKey]) throws {
        let message = signedBytes
        for key in keys {
            let keyID = TUFKey(ed25519: key.publicKey).keyID
            signatures[keyID] = try key.signature(for: message)
        }
    }

    /// The file's bytes: signatures sorted by key id, indented for people.
    public var bytes: [UInt8] {
        let list = signatures.keys.sorted().map { JSON.object(["keyid": .string($0), "sig": .string(Hex.encode(signatures[$0]!))]) }
        return JSON.object(["signed": signed, "signatures": .array(list)]).prettyBytes
    }

    /// Builds and signs a metadata file in one step.
    public static func signing(_ signed: JSON, with keys: [Ed25519PrivateKey]) throws -> Envelope {
        var envelope = Envelope(signed: signed)
        try envelope.sign(with: keys)
        return envelope
    }
}
