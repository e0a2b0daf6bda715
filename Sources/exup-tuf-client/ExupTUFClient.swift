import ArgumentParser
import ExupCommandLine
import ExupSystem
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// The client CLI of the TUF conformance suite (theupdateframework/tuf-conformance, CLIENT-CLI.md),
/// running exup's TUF client. Built with the project for testing; not shipped in the packages.
@main
struct ExupTUFClient: ParsableCommand {
    /// Refuses to start without /proc, then parses, runs and exits with the status of ExitStatus.
    static func main() { CommandMain.run(Self.self, program: "exup-tuf-client") }

    static let configuration = CommandConfiguration(
        commandName: "exup-tuf-client",
        abstract: "exup's TUF client behind the tuf-conformance client CLI.",
        discussion: """
            init ROOT: trust ROOT (copied into the metadata directory; no network).
            refresh: update root, timestamp, snapshot and targets by the TUF client workflow.
            download: refresh, then fetch each --target-name in order into --target-dir (already present \
            with matching hashes = not fetched again). Exit status 0 on full success, 1 on any failure.
            """
    )

    @Option(help: "Directory of trusted metadata (non-versioned file names).")
    var metadataDir: String

    @Option(name: .customLong("metadata-url"), help: "Base URL of the repository's metadata.")
    var metadataURL: String?

    @Option(name: .customLong("target-name"), help: "Target path to download (repeatable, processed in order).")
    var targetNames: [String] = []

    @Option(name: .customLong("target-base-url"), help: "Base URL of the repository's targets.")
    var targetBaseURL: String?

    @Option(help: "Directory to store downloaded targets in.")
    var targetDir: String?

    @Flag(name: .shortAndLong, help: "More output (repeatable).")
    var verbose: Int

    @Argument(help: "init ROOT | refresh | download")
    var command: String

    @Argument(help: "The trusted root file, for init.")
    var arguments: [String] = []

    func run() throws {
        do {
            switch command {
            case "init": try initialize()
            case "refresh": try refresh()
            case "download": try download()
            default: throw ValidationError("unknown command \(command): use init, refresh or download")
            }
        } catch let error as TUFError {
            printError("exup-tuf-client: \(error)")
            throw ExitCode(1)
        }
    }

    func initialize() throws {
        guard arguments.count == 1 else { throw ValidationError("init takes the trusted root file") }
        guard let bytes = LocalFile.read(arguments[0], limit: UpdaterConfig().rootMaxLength) else {
            throw TUFError.io(path: arguments[0], reason: "cannot read the trusted root")
        }
        do { try LocalFile.writeAtomically(bytes, to: metadataDir + "/root.json") } catch {
            throw TUFError.io(path: error.path, reason: error.reason)
        }
        if verbose > 0 { print("initialised \(metadataDir) with \(arguments[0])") }
    }

    func updater() throws -> Updater {
        guard let metadataURL else { throw ValidationError("--metadata-url is required") }
        return try Updater(
            metadataDirectory: metadataDir, metadataURL: metadataURL, fetcher: HTTPFetcher(),
            referenceTime: .now)
    }

    func refresh() throws {
        var updater = try updater()
        try updater.refresh()
        if verbose > 0 { print("refreshed \(metadataDir)") }
    }

    func download() throws {
        guard let targetDir, let targetBaseURL else { throw ValidationError("download needs --target-dir and --target-base-url") }
        guard !targetNames.isEmpty else { throw ValidationError("download needs at least one --target-name") }
        var updater = try updater()
        try updater.refresh()
        for name in targetNames {
            guard let info = try updater.targetInfo(name) else { throw TUFError.targetNotFound(path: name) }
            if let cached = updater.cachedTarget(info, in: targetDir) {
                if verbose > 0 { print("\(name): already present at \(cached)") }
                continue
            }
            let path = try updater.download(info, baseURL: targetBaseURL, into: targetDir)
            if verbose > 0 { print("\(name): downloaded to \(path)") }
        }
    }
}

func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
