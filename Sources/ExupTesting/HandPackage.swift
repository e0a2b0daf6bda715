import ExupCrypto
import Foundation

/// An update package assembled by hand, the way an attacker (or another vendor's tooling) would:
/// the manifest is formatted here, signed, and zipped by `HandZip`, with a hook at every step.
public struct HandPackage {
    /// File members other than ExUpHash.xml / ExUpHash.sig, in archive order.
    public var files: [(name: String, data: [UInt8])]
    /// Paths to list in ExUpHash.xml (default: every file); sizes and digests computed from `files`.
    public var listed: [String]?
    /// Replace the manifest XML entirely (signed as given).
    public var manifestOverride: [UInt8]?
    /// Change the manifest after it is signed (a tampered ExUpHash.xml).
    public var tamperManifestAfterSigning: (([UInt8]) -> [UInt8])?
    /// Replace the signature file's content.
    public var signatureOverride: [UInt8]?
    /// Edit the final member list before it is zipped (add, remove, corrupt members).
    public var editEntries: ((inout [HandZip.Entry]) -> Void)?
    public var zip64End = false

    public init(info: [UInt8], payload: [(String, [UInt8])] = [("payload/apply.sh", Array("#!/bin/sh\nexit 0\n".utf8))]) {
        files = [("ExUpInfo.xml", info)] + payload.map { (name: $0.0, data: $0.1) }
    }

    public func manifestXML() -> [UInt8] {
        if let manifestOverride { return manifestOverride }
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ExUpHash schemaVersion=\"1\" algorithm=\"sha256\">\n"
        for path in listed ?? files.map(\.name) {
            let data = files.first { $0.name == path }?.data ?? []
            text += "  <File path=\"\(path)\" size=\"\(data.count)\" sha256=\"\(SHA256Hasher.hash(data).hex)\"/>\n"
        }
        return Array((text + "</ExUpHash>\n").utf8)
    }

    /// The archive's bytes, signed with `key`.
    public func bytes(signedWith key: Ed25519PrivateKey) throws -> [UInt8] {
        let manifest = manifestXML()
        let signature = try signatureOverride ?? Array(Base64.encode(key.signature(for: manifest)).utf8)
        var entries = files.map { HandZip.Entry($0.name, $0.data) }
        entries.append(HandZip.Entry("ExUpHash.xml", tamperManifestAfterSigning?(manifest) ?? manifest))
        entries.append(HandZip.Entry("ExUpHash.sig", signature))
        editEntries?(&entries)
        var zip = HandZip(entries)
        zip.zip64End = zip64End
        return zip.bytes()
    }

    public func write(to directory: TemporaryDirectory, name: String = "package.zip", signedWith key: Ed25519PrivateKey) throws -> String {
        try directory.write(name, try bytes(signedWith: key))
    }
}

/// A vendor key pair with a trust directory holding its public key.
public struct TestVendor {
    public let key: Ed25519PrivateKey
    public let trustDirectory: String
    public let privateKeyPath: String

    public init(in directory: TemporaryDirectory, name: String = "vendor") throws {
        key = try Ed25519PrivateKey.generate()
        trustDirectory = directory.file("trusted-\(name)")
        try FileManager.default.createDirectory(atPath: trustDirectory, withIntermediateDirectories: true)
        try directory.write("trusted-\(name)/\(name).pem", try key.publicKey.pem)
        privateKeyPath = try directory.write("\(name).key.pem", try key.pem, mode: 0o600)
    }
}
