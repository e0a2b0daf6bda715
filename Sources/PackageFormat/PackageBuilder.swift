import ExupCore
import ExupCrypto
import ExupZip

#if canImport(Glibc)
    import Glibc
#endif

/// Builds a signed update package: `ExUpInfo.xml` as given, the payload directory under `payload/`,
/// `ExUpHash.xml` over every file, `ExUpHash.sig` by the vendor key. Written to a temporary file and
/// renamed into place, so a failed build never leaves a partial package under the final name.
public enum PackageBuilder {
    /// Payload files up to this size are deflated when that makes them smaller; larger ones are stored,
    /// which is also what lets the agent hash them straight from the archive.
    public static let deflateLimit = 16 << 20

    public struct Result: Sendable {
        public var info: PackageInfo
        public var path: String
        public var manifest: HashManifest
    }

    public static func build(
        infoXML: [UInt8], payloadDirectory: String?, key: Ed25519PrivateKey,
        output: String
    ) throws -> Result {
        let info = try InfoParser.parse(infoXML)
        guard !info.isIncompatible else {
            throw BuildError(
                "ExUpInfo.xml: schemaVersion \(info.schemaVersion) is newer than this exup writes (\(PackageInfo.supportedSchemaVersion))")
        }
        let payload = try payloadDirectory.map(listPayload) ?? []
        let payloadNames = Set(payload.map(\.member))
        for command in [info.apply, info.uninstall].compactMap({ $0 }) where !payloadNames.contains(command.path) {
            throw BuildError(
                "ExUpInfo.xml: command \(command.path) is not in the payload (the payload directory's files are packaged under payload/)")
        }
        var entries = [HashManifest.Entry(path: "ExUpInfo.xml", size: UInt64(infoXML.count), sha256: SHA256Hasher.hash(infoXML))]
        for file in payload {
            entries.append(HashManifest.Entry(path: file.member, size: file.size, sha256: try hashFile(file.source)))
        }
        let manifest = HashManifest(entries: entries)
        let manifestXML = manifest.xml()
        let signature = Array((Base64.encode(try key.signature(for: manifestXML)) + "\n").utf8)

        let temporary = output + ".partial-\(getpid())"
        do {
            let writer = try ZipWriter(path: temporary)
            try writer.add(name: "ExUpInfo.xml", bytes: infoXML)
            for file in payload {
                if file.size <= UInt64(deflateLimit) {
                    let bytes = try readFile(file.source)
                    try writer.add(name: file.member, bytes: bytes, mode: file.mode)
                } else {
                    try writer.addStored(name: file.member, fromFile: file.source, mode: file.mode)
                }
            }
            try writer.add(name: "ExUpHash.xml", bytes: manifestXML)
            try writer.add(name: "ExUpHash.sig", bytes: signature, compress: false)
            try writer.finish()
            guard rename(temporary, output) == 0 else {
                throw BuildError("cannot move the package into place at \(output): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return Result(info: info, path: output, manifest: manifest)
    }

    struct PayloadFile {
        var source: String
        var member: String
        var size: UInt64
        var mode: UInt32
    }

    /// Every regular file under `directory`, sorted; symbolic links and special files are refused.
    static func listPayload(_ directory: String) throws -> [PayloadFile] {
        var result: [PayloadFile] = []
        func walk(_ path: String, _ relative: String) throws {
            let names = try FileSystem.list(path)
            for name in names {
                let source = path + "/" + name, member = relative + "/" + name
                var info = stat()
                guard lstat(source, &info) == 0 else { throw BuildError("\(source): \(String(cString: strerror(errno)))") }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: try walk(source, member)
                case S_IFREG:
                    result.append(
                        PayloadFile(
                            source: source, member: member, size: UInt64(info.st_size),
                            mode: UInt32(info.st_mode & 0o777)))
                case S_IFLNK: throw BuildError("\(source): symbolic links cannot be packaged; copy the file instead")
                default: throw BuildError("\(source): only regular files can be packaged")
                }
            }
        }
        try walk(directory, "payload")
        return result
    }

    static func hashFile(_ path: String) throws -> Digest {
        let file = try ReadOnlyFile(path: path)
        let hasher = SHA256Hasher()
        try file.forEachChunk { hasher.update($0) }
        return hasher.finalize()
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let file = try ReadOnlyFile(path: path)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(file.size))
        try file.forEachChunk { bytes.append(contentsOf: $0) }
        return bytes
    }
}

public struct BuildError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
