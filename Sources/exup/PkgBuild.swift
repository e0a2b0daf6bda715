import ArgumentParser
import ExupCommandLine
import ExupCrypto
import ExupSystem
import PackageFormat

struct PkgBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build and sign an update package.",
        discussion: """
            The payload directory's files go under payload/ in the package (Apply command="payload/apply.sh" \
            names DIR/apply.sh). ExUpInfo.xml is checked first and copied byte for byte; ExUpHash.xml lists \
            every file with its size and SHA-256 and is signed with the vendor key.

            With --from-deb or --from-rpm, the package is the agent's own update: module exup-agent, Version \
            the deb's Version (the rpm's VERSION-RELEASE), the OS package in the payload and an update program \
            that installs it outside the agent's cgroup, so that the restart it causes stops neither the install \
            nor the run. Name the models it is for with --model (repeat for several).
            """
    )

    @Option(help: "The package's ExUpInfo.xml.")
    var info: String?

    @Option(help: "Directory whose files become the payload (under payload/).")
    var payload: String?

    @Option(help: "The vendor's Ed25519 private key (PEM, PKCS#8).")
    var key: String

    @Option(help: "Where to write the package (.zip).")
    var out: String

    @Option(name: .customLong("from-deb"), help: "Build the agent's self-update from this exup-agent .deb.")
    var fromDeb: String?

    @Option(name: .customLong("from-rpm"), help: "Build the agent's self-update from this exup-agent .rpm.")
    var fromRPM: String?

    @Option(help: "With --from-deb/--from-rpm: a server model the update is for (repeat for several).")
    var model: [String] = []

    @Option(help: "With --from-deb/--from-rpm: the target OS (linux, an os-release ID, or ID:VERSION_ID).")
    var os: String = "linux"

    @Option(help: "With --from-deb/--from-rpm: the release date, YYYY-MM-DD (default: today, UTC).")
    var releaseDate: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        let sources = [info, fromDeb, fromRPM].compactMap { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --info, --from-deb and --from-rpm") }
        if info == nil {
            guard payload == nil else { throw ValidationError("--payload goes with --info; --from-deb/--from-rpm make their own payload") }
            guard !model.isEmpty else { throw ValidationError("--from-deb/--from-rpm need at least one --model (the servers it is for)") }
        } else if !model.isEmpty || releaseDate != nil {
            throw ValidationError("--model and --release-date go with --from-deb/--from-rpm; with --info, ExUpInfo.xml says them")
        }
    }

    func run() throws {
        if let file = fromDeb ?? fromRPM { return try buildSelfUpdate(from: file, kind: fromDeb != nil ? .deb : .rpm) }
        guard let info else { return }
        guard let infoBytes = readFile(info, limit: 1 << 20) else {
            throw CommandFailure("cannot read \(info) (missing, unreadable or over 1 MiB)")
        }
        try build(infoBytes: infoBytes, payload: payload)
    }

    func build(infoBytes: [UInt8], payload: String?) throws {
        guard let keyBytes = readFile(key, limit: 64 << 10) else {
            throw CommandFailure("the key \(key) " + LocalFile.unreadableReason(key, limit: 64 << 10))
        }
        let text = String(decoding: keyBytes, as: UTF8.self)
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            throw CommandFailure(
                "\(key) is a public key: --key needs the private key (exup pkg keygen wrote it as vendor.key.pem)", code: "public-key")
        }
        let privateKey: Ed25519PrivateKey
        do { privateKey = try Ed25519PrivateKey(pem: text) } catch {
            throw CommandFailure("\(key) is not an Ed25519 private key in PEM form (the kind exup pkg keygen writes)", code: "bad-key")
        }
        let result: PackageBuilder.Result
        do {
            result = try PackageBuilder.build(infoXML: infoBytes, payloadDirectory: payload, key: privateKey, output: out)
        } catch {
            throw CommandFailure("cannot build \(out): \(error)")
        }
        if output.json {
            try JSONOutput.print(
                BuildReport(
                    path: result.path, id: result.info.id, module: result.info.moduleID,
                    version: result.info.version, files: result.manifest.entries.map(\.path)))
        } else {
            print(
                "built \(result.path): \(result.info.id) (\(result.info.moduleID) \(result.info.version)), \(result.manifest.entries.count) files signed"
            )
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
