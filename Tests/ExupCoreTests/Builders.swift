import ExupCore

/// Short builders for rule tests.
func pkg(
    _ id: String, module: String = "bmc-firmware", version: String, date: String = "2026-01-01",
    models: [String] = ["R120h"], os: String = "linux", reboot: Bool = false, downgrade: Bool = false,
    autoUpdate: Bool = true, schema: Int = 1, uninstall: Bool = false
) -> PackageInfo {
    PackageInfo(
        schemaVersion: schema, id: id, name: id, releaseDate: CalendarDate(date)!, moduleID: module,
        moduleName: module, version: version,
        targets: models.map { PackageTarget(model: $0, os: OSRule(os)!) },
        autoUpdate: autoUpdate, rebootRequired: reboot, downgrade: downgrade,
        apply: autoUpdate ? .init(path: "payload/apply.sh") : nil,
        uninstall: uninstall ? .init(path: "payload/uninstall.sh") : nil)
}

let debian12 = OSIdentity(id: "debian", versionID: "12")
let rhel94 = OSIdentity(id: "rhel", versionID: "9.4")
let r120hDebian = Platform(model: "R120h", os: debian12)
let r120hRHEL = Platform(model: "R120h", os: rhel94)
