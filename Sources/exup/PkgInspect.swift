import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupZip
import PackageFormat

struct PkgInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what an update package is and where it applies.",
        discussion: """
            Reads ExUpInfo.xml and the file list after the archive checks. Without --trusted-keys the \
            signature is not checked and the output says so; with it, the package is fully verified first.
            """
    )

    @Option(help: "Verify against the vendor keys in this directory before showing the package.")
    var trustedKeys: String?

    @Argument(help: "The package file.")
    var file: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let info: PackageInfo
        let files: [HashManifest.Entry]
        var signer: String?
        if let trustedKeys {
            let keys: TrustedKeys
            do { keys = try TrustedKeys.load(directory: trustedKeys) } catch { throw CommandFailure("\(error)") }
            do {
                let package = try PackageVerifier(trustedKeys: keys).verify(path: file)
                (info, files, signer) = (package.info, package.manifest.entries, package.signer)
            } catch { throw CommandFailure("\(file): \(error)") }
        } else {
            do { (info, files) = try PackageReader.unverifiedContents(path: file) } catch {
                throw CommandFailure("\(file): \(error)")
            }
        }
        let report = InspectReport(info: info, files: files, signer: signer, verified: trustedKeys != nil)
        if output.json { try JSONOutput.print(report) } else { print(report.text) }
    }

    struct InspectReport: Encodable {
        struct File: Encodable {
            var path: String
            var size: UInt64
            var sha256: String
        }

        var package: PackageInfo
        var incompatible: Bool
        var multiModel: Bool
        var verified: Bool
        var signer: String?
        var files: [File]

        init(info: PackageInfo, files: [HashManifest.Entry], signer: String?, verified: Bool) {
            package = info
            incompatible = info.isIncompatible
            multiModel = info.isMultiModel
            self.verified = verified
            self.signer = signer
            self.files = files.map { File(path: $0.path, size: $0.size, sha256: $0.sha256.hex) }
        }

        var text: String {
            var lines = [
                "package:      \(package.id) — \(package.name)",
                "module:       \(package.moduleID) (\(package.moduleName))",
                "version:      \(package.version)",
                "released:     \(package.releaseDate)",
                "targets:      " + package.targets.map { "\($0.model) [\($0.os)]" }.joined(separator: ", "),
                "auto-update:  \(package.autoUpdate ? "yes" : "no (download only)")",
                "reboot:       \(package.rebootRequired ? "required" : "not required")",
                "downgrade:    \(package.downgrade ? "allowed" : "not allowed")",
            ]
            if let apply = package.apply { lines.append("apply:        \(apply.path) (timeout \(apply.timeoutSeconds) s)") }
            if let uninstall = package.uninstall {
                lines.append("uninstall:    \(uninstall.path) (reboot \(uninstall.rebootRequired ? "required" : "not required"))")
            }
            if incompatible { lines.append("schema:       \(package.schemaVersion): INCOMPATIBLE, newer than this exup reads") }
            if !package.description.isEmpty { lines.append("description:  \(package.description)") }
            lines.append(verified ? "signature:    verified (\(signer ?? ""))" : "signature:    NOT CHECKED (pass --trusted-keys DIR to verify)")
            lines.append("files:")
            for file in files { lines.append("  \(file.path)  \(file.size) bytes  sha256 \(file.sha256)") }
            return lines.joined(separator: "\n")
        }
    }
}
