/// ExUpInfo.xml documents for tests, written out by hand so each field can be broken on purpose.
public struct InfoXML {
    public var schemaVersion = "1"
    public var id = "bmc-r120h-2.31"
    public var name = "BMC firmware 2.31 for R120h"
    public var releaseDate = "2026-03-01"
    public var module = "bmc-firmware"
    public var version = "2.31"
    public var targets: [(model: String, os: String)] = [("Express5800/R120h-1M", "linux")]
    public var autoUpdate = "true"
    public var rebootRequired = "false"
    public var downgrade = "false"
    public var applyCommand: String? = "payload/apply.sh"
    public var applyTimeoutSeconds = 600
    public var uninstallCommand: String?
    /// Inserted right after the XML declaration (a DOCTYPE, say).
    public var prolog = ""
    public var extraBody = ""

    public init() {}

    public var text: String {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\(prolog)<ExUpInfo schemaVersion=\"\(schemaVersion)\">\n"
        s += "  <Package id=\"\(id)\" name=\"\(name)\" releaseDate=\"\(releaseDate)\"/>\n"
        s += "  <Module id=\"\(module)\" name=\"\(module)\"/>\n  <Version>\(version)</Version>\n  <Targets>\n"
        for t in targets { s += "    <Target model=\"\(t.model)\" os=\"\(t.os)\"/>\n" }
        s += "  </Targets>\n  <Install autoUpdate=\"\(autoUpdate)\" rebootRequired=\"\(rebootRequired)\" downgrade=\"\(downgrade)\">\n"
        if let applyCommand { s += "    <Apply command=\"\(applyCommand)\" timeoutSeconds=\"\(applyTimeoutSeconds)\"/>\n" }
        if let uninstallCommand { s += "    <Uninstall command=\"\(uninstallCommand)\" rebootRequired=\"false\"/>\n" }
        s += "  </Install>\n\(extraBody)  <Description>test package</Description>\n</ExUpInfo>\n"
        return s
    }

    public var bytes: [UInt8] { Array(text.utf8) }
}
