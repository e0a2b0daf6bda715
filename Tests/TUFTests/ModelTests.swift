import ExupCrypto
import ExupFormats
import ExupTesting
import Foundation
import Testing

@testable import TUF

/// The metadata model: strict JSON, canonical bytes, key ids and glob matching, each checked against
/// securesystemslib / python-tuf / Python's fnmatch.
@Suite struct ModelTests {
    static let root = PythonTools.repositoryRoot(from: #filePath)
    static let script = root + "/Tests/TUFTests/python/tuf_scenarios.py"

    func oracle(_ kind: String, input: String = "") throws -> String {
        let python = try PythonTools.python(root: ModelTests.root)
        let result = try Subprocess.run([python, ModelTests.script, "oracle", kind], stdin: input)
        guard result.status == 0 else { throw TestFailure(result.stderr) }
        return result.stdout
    }

    @Test("canonical JSON equals securesystemslib's encode_canonical, byte for byte")
    func canonicalJSON() throws {
        let text = #"{"b": [1, -2, true, false, null, "x\"y\\z"], "a": {"ü": "ファーム", "A": "\n\t", "": 0}, "custom": {"z": 9223372036854775807}}"#
        let parsed = try JSON.parse(Array(text.utf8))
        let expected = try oracle("canonical", input: text)
        #expect(String(decoding: parsed.canonicalBytes, as: UTF8.self) == expected)
    }

    @Test("a key id is the SHA-256 of the key's canonical JSON, as securesystemslib computes it")
    func keyID() throws {
        let answer = try JSONSerialization.jsonObject(with: Data(try oracle("keyid").utf8)) as! [String: String]
        let key = TUFKey(ed25519: try Ed25519PublicKey(raw: Hex.decode(answer["public"]!)!))
        #expect(key.keyID == answer["keyid"])
    }

    @Test("path patterns match like fnmatch, segment by segment")
    func globMatchesFnmatch() throws {
        let pairs: [(String, String)] = [
            ("bmc.zip", "*.zip"), ("bmc.zip", "*"), ("bmc.zip", "b?c.zip"), ("bmc.zip", "[a-c]mc.zip"), ("bmc.zip", "[!b]mc.zip"),
            ("bmc.zip", "*.tar"), ("", "*"), ("abc", "a*c"), ("abbbc", "a*b*c"), ("ac", "a*?c"), ("a[b", "a[b"), ("a]", "[]]"),
            ("x", "[!]]"), ("-", "[a-]"), ("bmc", "BMC"), ("a.b.c", "*.*"), ("aXb", "a[!0-9]b"), ("a1b", "a[!0-9]b"),
        ]
        let answers = try oracle("fnmatch", input: pairs.map { "\($0.0)\t\($0.1)" }.joined(separator: "\n"))
            .split(separator: "\n").map { $0 == "1" }
        #expect(answers.count == pairs.count)
        for ((name, pattern), expected) in zip(pairs, answers) {
            #expect(Glob.matches(Array(name.unicodeScalars), Array(pattern.unicodeScalars)) == expected, "\(name) ~ \(pattern)")
        }
        let role = DelegatedRole(name: "m", keys: RoleKeys(keyIDs: [], threshold: 1), paths: ["models/r120h/*"])
        #expect(role.isDelegated(path: "models/r120h/bmc.zip"))
        #expect(!role.isDelegated(path: "models/r120h/sub/bmc.zip"))
        #expect(!role.isDelegated(path: "models/r120h"))
    }

    @Test(
        "the JSON parser refuses what TUF metadata must not contain",
        arguments: [
            #"{"a": 1, "a": 2}"#, #"{"a": 1.5}"#, #"{"a": 1e3}"#, #"{"a": 1} x"#, #"{"a": 01}"#, "{\"a\": \"\u{01}\"}",
            #"{"a": "\ud800"}"#, #"[1,]"#, #"{"a" 1}"#, "", #"{"a": 99999999999999999999}"#,
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ])
    func strictJSON(_ text: String) {
        #expect(throws: JSONError.self) { try JSON.parse(Array(text.utf8)) }
    }

    @Test(
        "a request body's shape check takes all of JSON's numbers (12.25, 1e3, beyond 64 bits) but keeps every other refusal; TUF's parse still refuses them"
    )
    func bodyShape() throws {
        let body = Array(#"{"reading": 12.25, "big": -1.5E+3, "count": 7, "nested": {"v": 0.5}, "huge": -121171089819406835332518277036376064}"#.utf8)
        let shape = try JSON.parseShape(body)
        #expect(shape["reading"] == .null && shape["count"] == .int(7) && shape["nested"]?["v"] == .null && shape["huge"] == .null)
        #expect(throws: JSONError.self) { try JSON.parse(body) }
        for bad in [#"{"a": 1.}"#, #"{"a": 1e}"#, #"{"a": .5}"#, #"{"a": 1, "a": 2}"#, #"{"a": 01}"#, #"{"a": 1} x"#] {
            #expect(throws: JSONError.self, "\(bad)") { try JSON.parseShape(Array(bad.utf8)) }
        }
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(throws: JSONError.self) { try JSON.parseShape(Array(deep.utf8)) }
    }

    @Test("invalid UTF-8 in a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("unrecognised fields survive parsing and re-serialisation, so signatures still verify")
    func unknownFieldsRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        var targets = Targets(
            version: 3, expires: UTCTime("2030-01-01T00:00:00Z")!,
            targets: ["a": TargetFile.describing(path: "a", bytes: [1, 2, 3], custom: .object(["k": .string("v")]))])
        targets.unrecognized["x-exup-future"] = .object(["nested": .array([.int(1), .null])])
        let envelope = try Envelope.signing(targets.json, with: [key])
        let reparsed = try Envelope(bytes: envelope.bytes, role: "targets")
        let model = try Targets(json: reparsed.signed)
        #expect(model.json == reparsed.signed)
        #expect(model.unrecognized["x-exup-future"] != nil)
        #expect(model.targets["a"]?.custom?["k"]?.string == "v")
        try reparsed.verify(
            role: "targets", keys: [TUFKey(ed25519: key.publicKey).keyID: TUFKey(ed25519: key.publicKey)],
            roleKeys: RoleKeys(keyIDs: [TUFKey(ed25519: key.publicKey).keyID], threshold: 1), version: 3)
    }

    @Test("roles refuse malformed fields with the field named")
    func malformedRoles() throws {
        func signed(_ text: String) throws -> JSON { try JSON.parse(Array(text.utf8)) }
        #expect(throws: TUFError.wrongType(expected: "root", got: "targets")) {
            try Root(
                json: signed(
                    #"{"_type": "targets", "version": 1, "spec_version": "1.0.31", "expires": "2030-01-01T00:00:00Z", "keys": {}, "roles": {}}"#))
        }
        #expect(throws: TUFError.unsupportedSpecVersion(role: "timestamp", version: "2.0.0")) {
            try Timestamp(
                json: signed(#"{"_type": "timestamp", "version": 1, "spec_version": "2.0.0", "expires": "2030-01-01T00:00:00Z", "meta": {}}"#))
        }
        #expect(throws: TUFError.malformed(role: "snapshot", reason: "signed: version must be at least 1")) {
            try Snapshot(json: signed(#"{"_type": "snapshot", "version": 0, "spec_version": "1.0", "expires": "2030-01-01T00:00:00Z", "meta": {}}"#))
        }
        #expect(throws: TUFError.malformed(role: "root", reason: "signed: roles must be exactly root, timestamp, snapshot and targets")) {
            try Root(
                json: signed(#"{"_type": "root", "version": 1, "spec_version": "1.0", "expires": "2030-01-01T00:00:00Z", "keys": {}, "roles": {}}"#))
        }
        #expect(throws: TUFError.self) {
            try Targets(json: signed(#"{"_type": "targets", "version": 1, "spec_version": "1.0", "expires": "2030-13-01T00:00:00Z", "targets": {}}"#))
        }
    }

    @Test("UTC times parse and print in TUF's format, and refuse impossible dates")
    func times() {
        for text in ["1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2030-12-31T12:00:00Z", "1969-12-31T23:59:59Z"] {
            #expect(UTCTime(text)?.description == text)
        }
        #expect(UTCTime("1970-01-02T00:00:00Z")?.seconds == 86_400)
        for bad in ["2023-02-29T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01 00:00:00Z", "2030-01-01T00:00:00", "2030-1-01T00:00:00Z"] {
            #expect(UTCTime(bad) == nil, "\(bad)")
        }
    }

    @Test("clock-derived versions never go down, even when the clock does")
    func versions() {
        #expect(MetadataVersion.next(after: 5, now: UTCTime(seconds: 1_000)) == 1_000)
        #expect(MetadataVersion.next(after: 2_000, now: UTCTime(seconds: 1_000)) == 2_001)
    }

    @Test("succinct hash bins name the bin python-tuf would")
    func succinctBins() {
        let bins = SuccinctRoles(keys: RoleKeys(keyIDs: [], threshold: 1), bitLength: 8, namePrefix: "bin")
        let digest = SHA256Hasher.hash(Array("models/x.zip".utf8)).hex
        #expect(bins.role(for: "models/x.zip") == "bin-" + digest.prefix(2))
        #expect(bins.isDelegated("bin-ff") && !bins.isDelegated("bin-100") && !bins.isDelegated("bin-0"))
    }

    @Test("operator-facing refusals say what and why")
    func wording() {
        #expect(
            TUFError.rollback(role: "timestamp", new: 12, trusted: 15).description
                == "timestamp version 12 is older than trusted 15: rollback refused")
        #expect(TUFError.expired(role: "snapshot", expires: "2026-01-01T00:00:00Z").description.contains("freeze"))
        #expect(TUFError.tooLarge(url: "u", limit: 16_384).description == "u: more than 16384 bytes: endless data refused")
    }
}
