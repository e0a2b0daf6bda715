import ArgumentParser
import ExupCrypto
import PackageFormat

struct PkgBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build and sign an update package.",
        discussion: """
        The payload directory's files go under payload/ in the package (Apply command="payload/apply.sh" \
        names DIR/apply.sh). ExUpInfo.xml is checked first and copied byte for byte; ExUpHash.xml lists \
        every file with its size and SHA-256 and is signed with the vendor key.
        """
    )

    @Option(help: "The package's ExUpInfo.xml.")
    var info: String

    @Option(help: "Directory whose files become the payload (under payload/).")
    var payload: String?

    @Option(help: "The vendor's Ed25519 private key (PEM, PKCS#8).")
    var key: String

    @Option(help: "Where to write the package (.zip).")
    var out: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let infoBytes = readFile(info, limit: 1 << 20) else {
            throw ValidationError("cannot read \(info) (missing, unreadable or over 1 MiB)")
        }
        guard let keyBytes = readFile(key, limit: 64 << 10) else { throw ValidationError("cannot read the key \(key)") }
        let privateKey: Ed25519PrivateKey
        do { privateKey = try Ed25519PrivateKey(pem: String(decoding: keyBytes, as: UTF8.self)) } catch {
            throw ValidationError("\(key): \(error)")
        }
        let result: PackageBuilder.Result
        do {
            result = try PackageBuilder.build(infoXML: infoBytes, payloadDirectory: payload, key: privateKey, output: out)
        } catch {
            throw ValidationError("cannot build \(out): \(error)")
        }
        if output.json {
            try JSONOutput.print(BuildReport(path: result.path, id: result.info.id, module: result.info.moduleID,
                                             version: result.info.version, files: result.manifest.entries.map(\.path)))
        } else {
            print("built \(result.path): \(result.info.id) (\(result.info.moduleID) \(result.info.version)), \(result.manifest.entries.count) files signed")
        }
    }

    struct BuildReport: Encodable {
        var path: String
        var id: String
        var module: String
        var version: String
        var files: [String]
    }
}
