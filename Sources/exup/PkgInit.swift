import ArgumentParser
import ExupCommandLine
import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exup pkg init DIR`: a starting point for a new package — a commented ExUpInfo.xml and a
/// payload/apply.sh skeleton that build and verify as they are (docs/package-format.md explains each field).
struct PkgInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented ExUpInfo.xml and a payload/apply.sh skeleton into a new directory.",
        discussion: "Edit both, then: exup pkg build --info DIR/ExUpInfo.xml --payload DIR/payload --key vendor.key.pem --out update.zip")
    @Argument(help: "The directory to create (it must not exist, or be empty).") var directory: String
    @Option(help: "The model the package targets (the server's model name exactly).") var model = "Express5800/R120h-1M"
    @Option(help: "The module it updates: system-bios, bmc-firmware, sdr, package:NAME.") var module = "bmc-firmware"
    @Option(help: "The version the module has after the update.") var version = "1.0"
    @OptionGroup var output: OutputOptions

    func run() throws {
        if LocalFile.exists(directory), let entries = try? LocalDirectory.list(directory), !entries.isEmpty {
            throw CommandFailure("\(directory) exists and is not empty: pkg init writes only into a new directory")
        }
        guard module.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:+".contains($0) }), !version.contains("<"), !model.contains("<"),
            !model.contains("\"")
        else {
            throw ValidationError("--model, --module and --version may not contain < or \"")
        }
        do {
            try LocalFile.makeDirectories(directory + "/payload", mode: 0o755)
            try LocalFile.writeAtomically(Array(Self.info(model: model, module: module, version: version).utf8), to: directory + "/ExUpInfo.xml")
            try LocalFile.writeAtomically(Array(Self.applyScript.utf8), to: directory + "/payload/apply.sh", mode: 0o755)
        } catch { throw CommandFailure("cannot write into \(directory): \(error)") }
        if output.json { return try JSONOutput.print(["info": directory + "/ExUpInfo.xml", "payload": directory + "/payload"]) }
        print(
            """
            wrote \(directory)/ExUpInfo.xml and \(directory)/payload/apply.sh; edit both, then:
              exup pkg build --info \(directory)/ExUpInfo.xml --payload \(directory)/payload --key vendor.key.pem --out update.zip
            """)
    }

    static func info(model: String, module: String, version: String) -> String {
        let id = (module.replacingColons() + "-" + version).filter { $0.isLetter || $0.isNumber || "._+-".contains($0) }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- What this package is and where it applies (docs/package-format.md explains every field). -->
            <ExUpInfo schemaVersion="1">
              <!-- id: unique, [A-Za-z0-9._+-]; releaseDate orders updates, oldest first. -->
              <Package id="\(id)" name="\(module) \(version)" releaseDate="2026-01-01"/>
              <!-- The module it updates: system-bios, bmc-firmware, sdr or package:NAME. -->
              <Module id="\(module)" name="\(module)"/>
              <!-- The version the module reads after a successful update (the agent checks it). -->
              <Version>\(version)</Version>
              <Targets>
                <!-- One per model and OS: os is linux, an os-release id (debian, rhel:9), bmc or offline. -->
                <Target model="\(model)" os="linux"/>
              </Targets>
              <!-- autoUpdate="false" makes it download-only; downgrade="true" lets it replace a newer version. -->
              <Install autoUpdate="true" rebootRequired="false" downgrade="false">
                <!-- Run directly (no shell: keep the #! line), in the staging directory, with a time limit. -->
                <Apply command="payload/apply.sh" timeoutSeconds="1800"/>
              </Install>
              <Description>Describe what the update changes.</Description>
            </ExUpInfo>

            """
    }

    static let applyScript = """
        #!/bin/sh
        # The update program: exup runs it from the package's staging directory ($EXUP_STAGING_DIR) with
        # EXUP_MODULE, EXUP_CURRENT_VERSION and EXUP_TARGET_VERSION set. Exit 0 on success, anything else on
        # failure; what it prints goes to the item's log. Success counts only when the module reads
        # EXUP_TARGET_VERSION afterwards.
        set -eu
        echo "updating $EXUP_MODULE from ${EXUP_CURRENT_VERSION:-nothing} to $EXUP_TARGET_VERSION"
        # flash-tool --image payload/firmware.bin      # the vendor's own tool goes here
        exit 0

        """
}

extension String {
    fileprivate func replacingColons() -> String { String(map { $0 == ":" ? "-" : $0 }) }
}
