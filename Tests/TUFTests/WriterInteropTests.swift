import ExupCrypto
import ExupFormats
import ExupSystem
import ExupTesting
import Foundation
import TUF
import Testing

/// Metadata written by exup (the repository's side) is read and verified by python-tuf's ngclient, an
/// independent client, and by exup's own Updater.
@Suite struct WriterInteropTests {
    struct Keys {
        var root = [try! Ed25519PrivateKey.generate()]
        var timestamp = [try! Ed25519PrivateKey.generate()]
        var snapshot = [try! Ed25519PrivateKey.generate()]
        var targets = [try! Ed25519PrivateKey.generate()]
        var model = [try! Ed25519PrivateKey.generate()]

        func publicKeys() throws -> [String: [Ed25519PublicKey]] {
            [
                Root.type: try root.map(\.publicKey), Timestamp.type: try timestamp.map(\.publicKey),
                Snapshot.type: try snapshot.map(\.publicKey), Targets.type: try targets.map(\.publicKey),
            ]
        }
    }

    /// Writes a consistent-snapshot repository the way exup's repository will publish it.
    struct Published {
        let dir: TemporaryDirectory
        var keys = Keys()
        var root: Root
        let expires = UTCTime.now.adding(seconds: 7 * 86_400)
        let package = Array("signed update package bytes".utf8)
        let notes = Array("release notes".utf8)

        init() throws {
            dir = try TemporaryDirectory()
            for sub in ["metadata", "targets/models/r120h"] {
                try FileManager.default.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true)
            }
            root = Root.make(expires: UTCTime.now.adding(seconds: 365 * 86_400), keys: try keys.publicKeys())
            try writeRoot(try Envelope.signing(root.json, with: keys.root))
            try dir.write("root.json", try Envelope.signing(root.json, with: keys.root).bytes)
        }

        func writeRoot(_ envelope: Envelope) throws {
            try dir.write("metadata/\(ConsistentNames.metadata(role: Root.type, version: root.common.version))", envelope.bytes)
        }

        mutating func rotate(_ role: String, to newKeys: [Ed25519PrivateKey]) throws {
            let old = keys.root
            var next = root.next(expires: root.common.expires)
            next.setKeys(try newKeys.map(\.publicKey), threshold: newKeys.count, for: role)
            switch role {
            case Root.type: keys.root = newKeys
            case Timestamp.type: keys.timestamp = newKeys
            default: break
            }
            root = next
            try writeRoot(try RootRotation.sign(next, oldRootKeys: old, newRootKeys: keys.root))
        }

        /// Targets with a per-model delegated role; snapshot; timestamp. Versions from the clock.
        /// `outsideItsPaths`: the model role also lists a target of another model's path (which its
        /// delegation, `models/r120h/*`, does not cover).
        func publishTargets(version: Int, outsideItsPaths: Bool = false) throws {
            let custom: JSON = .object(["exup": .object(["module": .string("bmc-firmware"), "version": .string("2.31")])])
            let packageTarget = TargetFile.describing(path: "models/r120h/bmc-2.31.zip", bytes: package, custom: custom)
            let notesTarget = TargetFile.describing(path: "notes.txt", bytes: notes)
            for (target, bytes) in [(packageTarget, package), (notesTarget, notes)] {
                try dir.write("targets/" + ConsistentNames.target(path: target.path, sha256: target.hashes["sha256"]!), bytes)
            }
            var modelTargets = [packageTarget.path: packageTarget]
            if outsideItsPaths {
                let foreign = TargetFile.describing(path: "models/t110k/flasher.zip", bytes: package, custom: custom)
                try dir.write("targets/" + ConsistentNames.target(path: foreign.path, sha256: foreign.hashes["sha256"]!), package)
                modelTargets[foreign.path] = foreign
            }
            var model = Targets(version: version, expires: expires, targets: modelTargets)
            model.common.version = version
            let modelEnvelope = try Envelope.signing(model.json, with: keys.model)
            let delegation = DelegatedRole(
                name: "models/r120h", keys: RoleKeys(keyIDs: [TUFKey(ed25519: try keys.model[0].publicKey).keyID], threshold: 1),
                terminating: true, paths: ["models/r120h/*"])
            let top = Targets(
                version: version, expires: expires, targets: [notesTarget.path: notesTarget],
                delegations: Delegations(
                    keys: [TUFKey(ed25519: try keys.model[0].publicKey).keyID: TUFKey(ed25519: try keys.model[0].publicKey)],
                    roles: [delegation]))
            let topEnvelope = try Envelope.signing(top.json, with: keys.targets)
            try dir.write("metadata/" + ConsistentNames.metadata(role: "models/r120h", version: version), modelEnvelope.bytes)
            try dir.write("metadata/" + ConsistentNames.metadata(role: Targets.type, version: version), topEnvelope.bytes)
            let snapshot = Snapshot.describing(
                [Targets.type: (topEnvelope.bytes, version), "models/r120h": (modelEnvelope.bytes, version)],
                version: version, expires: expires)
            let snapshotBytes = try Envelope.signing(snapshot.json, with: keys.snapshot).bytes
            try dir.write("metadata/" + ConsistentNames.metadata(role: Snapshot.type, version: version), snapshotBytes)
            let timestamp = Timestamp.describing(snapshot: snapshotBytes, snapshotVersion: version, version: version, expires: expires)
            try dir.write("metadata/timestamp.json", try Envelope.signing(timestamp.json, with: keys.timestamp).bytes)
        }
    }

    @Test("python-tuf's ngclient refreshes exup's metadata through root rotations and downloads its targets")
    func ngclientReadsExupMetadata() throws {
        var repo = try Published()
        try repo.rotate(Root.type, to: [try Ed25519PrivateKey.generate()])
        try repo.rotate(Timestamp.type, to: [try Ed25519PrivateKey.generate(), try Ed25519PrivateKey.generate()])
        let version = MetadataVersion.next(after: 1, now: .now)
        try repo.publishTargets(version: version)
        let root = PythonTools.repositoryRoot(from: #filePath)
        let python = try PythonTools.python(root: root)
        let result = try Subprocess.run([
            python, root + "/Tests/TUFTests/python/tuf_scenarios.py", "ngclient", repo.dir.path,
            "models/r120h/bmc-2.31.zip", "notes.txt", "missing.zip",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(report["root_version"] as? Int == 3)
        let targets = report["targets"] as! [String: Any]
        #expect(targets["models/r120h/bmc-2.31.zip"] as? String == SHA256Hasher.hash(repo.package).hex)
        #expect(targets["notes.txt"] as? String == SHA256Hasher.hash(repo.notes).hex)
        #expect(targets["missing.zip"] is NSNull)
        let custom = (report["custom"] as! [String: Any])["models/r120h/bmc-2.31.zip"] as! [String: Any]
        #expect((custom["exup"] as! [String: Any])["module"] as? String == "bmc-firmware")
    }

    @Test("exup's own Updater reads the same repository, and refuses it when one byte of a role changes")
    func updaterReadsExupMetadata() throws {
        var repo = try Published()
        try repo.rotate(Root.type, to: [try Ed25519PrivateKey.generate()])
        try repo.publishTargets(version: 7)
        let client = try TemporaryDirectory()
        try client.write("root.json", try Data(contentsOf: URL(fileURLWithPath: repo.dir.file("root.json"))).map { $0 })
        var updater = try Updater(
            metadataDirectory: client.path, metadataURL: repo.dir.file("metadata"),
            fetcher: FileFetcher(), referenceTime: .now)
        try updater.refresh()
        #expect(updater.trusted.root.common.version == 2)
        let info = try #require(try updater.targetInfo("models/r120h/bmc-2.31.zip"))
        #expect(info.custom?["exup"]?["version"]?.string == "2.31")
        try FileManager.default.createDirectory(atPath: client.file("t"), withIntermediateDirectories: true)
        let path = try updater.download(info, baseURL: repo.dir.file("targets"), into: client.file("t"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).map { $0 } == repo.package)

        // Tamper with the delegated role after signing: the next fresh client refuses it.
        let rolePath = repo.dir.file("metadata/7.models%2Fr120h.json")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: rolePath)).map { $0 }
        let i = bytes.firstIndex(of: UInt8(ascii: "2"))!
        bytes[i] = UInt8(ascii: "3")
        try Data(bytes).write(to: URL(fileURLWithPath: rolePath))
        let fresh = try TemporaryDirectory()
        try fresh.write("root.json", try Data(contentsOf: URL(fileURLWithPath: repo.dir.file("root.json"))).map { $0 })
        var second = try Updater(metadataDirectory: fresh.path, metadataURL: repo.dir.file("metadata"), fetcher: FileFetcher(), referenceTime: .now)
        #expect(throws: TUFError.self) { _ = try second.targetInfo("models/r120h/bmc-2.31.zip") }
    }
}

extension WriterInteropTests {
    @Test("a delegated role vouches only for its paths: a target it lists outside them is not trusted")
    func delegationPathsHonoured() throws {
        var repo = try Published()
        try repo.rotate(Root.type, to: [try Ed25519PrivateKey.generate()])
        try repo.publishTargets(version: 8, outsideItsPaths: true)
        let client = try TemporaryDirectory()
        try client.write("root.json", try Data(contentsOf: URL(fileURLWithPath: repo.dir.file("root.json"))).map { $0 })
        var updater = try Updater(metadataDirectory: client.path, metadataURL: repo.dir.file("metadata"), fetcher: FileFetcher(), referenceTime: .now)
        try updater.refresh()
        let listed = try #require(try updater.delegatedTargets("models/r120h"))
        #expect(Set(listed.targets.keys) == ["models/r120h/bmc-2.31.zip"], "the role's own path only")
        #expect(try updater.targetInfo("models/t110k/flasher.zip") == nil)
        #expect(try updater.targetInfo("models/r120h/bmc-2.31.zip") != nil)
    }
}

/// Reads "URLs" that are file paths: the Updater's I/O without a server.
struct FileFetcher: Fetcher {
    func fetch(_ url: String, maxLength: Int) throws(TUFError) -> [UInt8] {
        let path = url.removingPercentEncoding.map { _ in url } ?? url
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(url: url, status: 404) }
        guard let bytes = LocalFile.read(path, limit: maxLength) else { throw .tooLarge(url: url, limit: maxLength) }
        return bytes
    }
}
