/// The module ids of package-format.md, "Modules and their current version".
public enum ModuleID {
    public static let systemBIOS = "system-bios"
    public static let bmcFirmware = "bmc-firmware"
    public static let sdr = "sdr"
    public static let agent = "exup-agent"
    public static let osPackagePrefix = "package:"

    /// Firmware modules read through the BMC; the pre-flight health gate guards these.
    public static let firmware: Set<String> = [systemBIOS, bmcFirmware, sdr]

    /// The OS package a `package:NAME` module stands for.
    public static func osPackageName(_ moduleID: String) -> String? {
        moduleID.hasPrefix(osPackagePrefix) ? String(moduleID.dropFirst(osPackagePrefix.count)) : nil
    }
}
