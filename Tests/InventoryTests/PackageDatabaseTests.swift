import ExupCore
import ExupTesting
import Foundation
import Inventory
import Testing

/// Installed OS package versions, read from real dpkg and rpm databases the tests create.
@Suite struct PackageDatabaseTests {
    let packages = [
        PackageSandboxes.Package(name: "exup-test-tool", debianVersion: "2:1.4.2-3", epoch: 2, version: "1.4.2", release: "3.el9"),
        PackageSandboxes.Package(name: "exup-test-lib", debianVersion: "0.9~rc1-1", epoch: nil, version: "0.9", release: "1.el9"),
        PackageSandboxes.Package(name: "exup-zero-epoch", debianVersion: "0:5.0-1", epoch: 0, version: "5.0", release: "1"),
    ]

    @Test("dpkg: versions from a database dpkg itself installed into; dpkg's ${Version} as is")
    func dpkg() throws {
        let dir = try TemporaryDirectory()
        var config = PackageDatabaseConfiguration()
        config.dpkgAdminDirectory = try PackageSandboxes.dpkg(packages, in: dir)
        #expect(PackageDatabase.system(config) == .dpkg)
        let (system, installed) = try PackageDatabase.installed(config)
        #expect(system == .dpkg)
        // dpkg itself drops a 0 epoch when it records the version.
        #expect(installed == ["exup-test-tool": "2:1.4.2-3", "exup-test-lib": "0.9~rc1-1", "exup-zero-epoch": "5.0-1"])
    }

    @Test("rpm: EPOCH:VERSION-RELEASE from a scratch --dbpath, without a 0 epoch")
    func rpm() throws {
        let dir = try TemporaryDirectory()
        var config = PackageDatabaseConfiguration()
        config.system = .rpm
        config.rpmDatabasePath = try PackageSandboxes.rpm(packages, in: dir)
        let (system, installed) = try PackageDatabase.installed(config)
        #expect(system == .rpm)
        #expect(installed == ["exup-test-tool": "2:1.4.2-3.el9", "exup-test-lib": "0.9-1.el9", "exup-zero-epoch": "5.0-1"])
    }

    @Test("the inventory reports package:NAME modules; a package not installed has no version (a new install)")
    func inventoryModules() throws {
        let dir = try TemporaryDirectory()
        var sources = InventorySources()
        sources.ipmi.driver = .none
        sources.packages.dpkgAdminDirectory = try PackageSandboxes.dpkg(packages, in: dir)
        sources.packageNames = ["exup-test-tool", "not-installed"]
        let root = try TemporaryDirectory()
        try root.write("etc/os-release", "ID=debian\nVERSION_ID=12\n")
        sources.root = root.path
        let inventory = InventoryCollector(sources).collect()
        #expect(inventory.packageSystem == .dpkg)
        #expect(inventory.module("package:exup-test-tool")?.version == "2:1.4.2-3")
        #expect(inventory.module("package:exup-test-tool")?.source == "dpkg")
        #expect(inventory.module("package:not-installed")?.version == nil)
        #expect(inventory.module("package:not-installed")?.error == nil)
        #expect(inventory.module(ModuleID.agent)?.version == ExupVersion.string)
    }

    @Test("a broken database is a problem in the inventory, not a crash")
    func brokenDatabase() throws {
        let dir = try TemporaryDirectory()
        try dir.write("var/lib/dpkg/status", "this is not a dpkg status file\n")
        var sources = InventorySources()
        sources.ipmi.driver = .none
        sources.packages.system = .dpkg
        sources.packages.dpkgAdminDirectory = dir.file("var/lib/dpkg")
        sources.packageNames = ["x"]
        let inventory = InventoryCollector(sources).collect()
        #expect(inventory.problems.contains { $0.hasPrefix("packages: /usr/bin/dpkg-query failed") }, "\(inventory.problems)")
        #expect(inventory.module("package:x")?.error?.hasPrefix("unavailable") == true)
    }
}

@Suite struct SystemFactsTests {
    @Test("os-release: quoting, escapes, comments, VERSION_ID optional")
    func osRelease() {
        let fields = OSRelease.parse(
            """
            # comment
            PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
            ID="rhel"
            ID_LIKE='fedora'
            VERSION_ID=9.4
            NAME="A \\"quoted\\" name"
            BROKEN LINE
            """)
        #expect(fields["ID"] == "rhel" && fields["VERSION_ID"] == "9.4" && fields["ID_LIKE"] == "fedora")
        #expect(fields["NAME"] == "A \"quoted\" name")
        #expect(OSRelease.identity(fields) == OSIdentity(id: "rhel", versionID: "9.4"))
        #expect(OSRelease.identity(OSRelease.parse("ID=arch\n")) == OSIdentity(id: "arch"))
        #expect(OSRelease.identity(OSRelease.parse("NAME=x\n")) == nil)
    }

    @Test("SMBIOS values come from the configured root, trimmed; /usr/lib/os-release is the fallback")
    func smbiosAndFallback() throws {
        let root = try TemporaryDirectory()
        try root.write("sys/class/dmi/id/product_name", "Express5800/R110j  \n")
        try root.write("sys/class/dmi/id/bios_version", "F.30\r\n")
        try root.write("usr/lib/os-release", "ID=sles\nVERSION_ID=\"15.5\"\n")
        #expect(SMBIOS(root: root.path).productName == "Express5800/R110j")
        #expect(SMBIOS(root: root.path).biosVersion == "F.30")
        #expect(OSRelease.identity(OSReleaseFile(root: root.path).fields() ?? [:]) == OSIdentity(id: "sles", versionID: "15.5"))
    }

    @Test("bmc-info's firmware formatting: BCD minor as two hex digits; aux as a little-endian word")
    func firmwareFormatting() {
        #expect(FirmwareRevision.format(major: 2, minorBCD: 0x15) == "2.15")
        #expect(FirmwareRevision.format(major: 0x81, minorBCD: 0x09) == "1.09")
        #expect(FirmwareRevision.formatAuxiliary([1, 2, 3, 4]) == "04030201h")
        #expect(FirmwareRevision.formatAuxiliary([1, 2]) == nil)
    }
}
