/// An update package for module `exup-agent` made from the agent's own .deb or .rpm: ExUpInfo.xml and
/// the update program, with the OS package itself beside it in the payload. Pure: the caller reads the
/// OS package's name and version and writes the files.
public struct AgentSelfUpdate: Sendable, Equatable {
    public enum Kind: String, Sendable { case deb, rpm }

    public var kind: Kind
    /// The OS package's version as the agent built from it reports itself (`ExupVersion`): the deb's
    /// Version, the rpm's VERSION-RELEASE (with EPOCH: in front when it is not 0).
    public var version: String
    /// The OS package's original file name (for the description).
    public var fileName: String
    public var models: [String]
    public var os: String
    public var releaseDate: String

    public init(kind: Kind, version: String, fileName: String, models: [String], os: String, releaseDate: String) {
        self.kind = kind
        self.version = version
        self.fileName = fileName
        self.models = models
        self.os = os
        self.releaseDate = releaseDate
    }

    /// The OS package's name inside payload/ (fixed: the file name given is not trusted into a script).
    public var payloadName: String { "exup-agent.\(kind.rawValue)" }

    /// Whether `version` holds only what deb and rpm versions may (it is written into the update program).
    public static func isPlausibleVersion(_ version: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.+~:_-")
        return !version.isEmpty && version.count <= 128 && version.allSatisfy { allowed.contains($0) }
    }

    /// `exup-agent-VERSION`, with characters a package id may not hold replaced by `_`.
    public var packageID: String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-")
        return String(("exup-agent-" + version).map { allowed.contains($0) ? $0 : "_" }.prefix(128))
    }

    public var infoXML: String {
        let targets = models.map { "    <Target model=\"\(Self.escape($0))\" os=\"\(Self.escape(os))\"/>" }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <ExUpInfo schemaVersion="1">
              <Package id="\(Self.escape(packageID))" name="exup agent \(Self.escape(version))" releaseDate="\(Self.escape(releaseDate))"/>
              <Module id="exup-agent" name="exup agent"/>
              <Version>\(Self.escape(version))</Version>
              <Targets>
            \(targets)
              </Targets>
              <Install autoUpdate="true" rebootRequired="false" downgrade="false">
                <Apply command="payload/apply.sh" timeoutSeconds="900"/>
              </Install>
              <Description>The exup agent \(Self.escape(version)) from its own .\(kind.rawValue) (\(Self.escape(fileName))).</Description>
            </ExUpInfo>

            """
    }

    /// The update program. The install runs in a transient scope, outside the agent's cgroup: the package
    /// restarts the agent, and the install must not be stopped with it. The restarted agent waits for
    /// this program to end and confirms the version it now runs.
    public var applyScript: String {
        let install =
            kind == .deb
            ? "env DEBIAN_FRONTEND=noninteractive dpkg --install --force-confold \"$file\""
            : "rpm --upgrade --replacepkgs \"$file\""
        return """
            #!/bin/sh
            # Installs exup-agent \(version) from its own .\(kind.rawValue) (made by exup pkg build --from-\(kind.rawValue)).
            # The install runs in a transient systemd scope, outside the agent's cgroup: the package restarts the
            # agent, and the install must not be stopped with it. The restarted agent waits for this program and
            # confirms the version it runs. Configuration files the operator changed are kept.
            set -eu
            file="$EXUP_STAGING_DIR/payload/\(payloadName)"
            if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
                exec systemd-run --scope --quiet --collect --description="exup-agent self-update to \(version)" -- \(install)
            fi
            exec \(install)

            """
    }

    static func escape(_ text: String) -> String { XMLEscape.attribute(text) }
}
