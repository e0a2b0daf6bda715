import ArgumentParser
import ExupCommandLine
import ExupSystem
import ExupZip
import PackageFormat

struct PkgVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check update packages: archive rules, vendor signature, every hash, ExUpInfo.xml.",
        discussion: """
            Prints one line per file: "ok", or the first rule it breaks, in package-format.md's order. \
            Exits 0 when every file is authentic, 2 when some are not, 1 when none is. A package with a newer schemaVersion \
            that is otherwise authentic is "ok, incompatible": kept and listed, never applied.
            """
    )

    @Option(help: "Directory of trusted vendor public keys (*.pem).")
    var trustedKeys: String = "/etc/exup/trusted-keys"

    @Option(help: "Most members a package may have.")
    var maxMembers: Int = ZipLimits().maxMembers

    @Option(help: "Most uncompressed bytes a package may expand to.")
    var maxBytes: UInt64 = ZipLimits().maxTotalUncompressed

    @Argument(help: "Package files.")
    var files: [String]

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one package file to verify") }
        if maxMembers < 1 { throw ValidationError("--max-members must be at least 1") }
    }

    func run() throws {
        let keys: TrustedKeys
        guard LocalFile.isDirectory(trustedKeys) else {
            throw CommandFailure("the trusted keys directory \(trustedKeys) does not exist: create it and put the vendors' public keys (*.pem) in it")
        }
        do { keys = try TrustedKeys.load(directory: trustedKeys) } catch { throw CommandFailure("\(error)") }
        for problem in keys.problems { printError("warning: ignoring \(problem)") }
        if keys.keys.isEmpty { printError("warning: no trusted keys in \(trustedKeys): every signature will fail") }
        let verifier = PackageVerifier(trustedKeys: keys, limits: ZipLimits(maxMembers: maxMembers, maxTotalUncompressed: maxBytes))
        var reports: [VerifyReport] = []
        for file in files {
            if let problem = PackageFileCheck.problem(file) {
                reports.append(VerifyReport(file: file, ok: false, incompatible: false, error: .init(code: "not-a-package", message: problem)))
                if !output.json { print(reports.last!.line) }
                continue
            }
            do {
                let package = try verifier.verify(path: file)
                reports.append(
                    VerifyReport(
                        file: file, ok: true, incompatible: package.info.isIncompatible,
                        id: package.info.id, signer: package.signer,
                        schemaVersion: package.info.schemaVersion))
            } catch {
                let message =
                    error == .noTrustedKey
                    ? "signed by a vendor key not in \(trustedKeys): put the vendor's public key (*.pem) there if you trust it" : error.description
                reports.append(VerifyReport(file: file, ok: false, incompatible: false, error: .init(code: error.code, message: message)))
            }
            if !output.json { print(reports.last!.line) }
        }
        if output.json { try JSONOutput.print(reports) }
        let refused = reports.filter { !$0.ok }.count
        if refused > 0 { throw ExitCode(refused == reports.count ? ExitStatus.failure.rawValue : ExitStatus.partial.rawValue) }
    }

    struct VerifyReport: Encodable {
        struct Failure: Encodable {
            var code: String
            var message: String
        }

        var file: String
        var ok: Bool
        var incompatible: Bool
        var id: String?
        var signer: String?
        var schemaVersion: Int?
        var error: Failure?

        var line: String {
            if let error { return "\(file): \(error.message)" }
            if incompatible {
                return "\(file): ok, incompatible (schemaVersion \(schemaVersion ?? 0) is newer than this exup reads; kept, never applied)"
            }
            return "\(file): ok (\(id ?? ""), signed by \(signer ?? ""))"
        }
    }
}

/// Writes a line to standard error (file descriptor 2; Swift 6 refuses the C global `stderr`).
func printError(_ line: String) { writeStandardError(line) }

#if canImport(Glibc)
    import Glibc
#endif
