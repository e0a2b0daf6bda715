import ExupCore
import Testing

/// The agent's last word before it runs anything: the vendor-signed info against this server and the approval.
@Suite struct SignedPackageCheckTests {
    let scheme = VersionScheme.forModule("bmc-firmware", on: debian12)

    func refusal(
        _ signed: PackageInfo, module: String = "bmc-firmware", version: String? = "2.31", uninstall: Bool = false,
        platform: Platform = r120hDebian, installed: String? = "2.15"
    ) -> String? {
        SignedPackageCheck.refusal(
            signed: signed, approved: .init(moduleID: module, version: version, isUninstall: uninstall),
            platform: platform, installed: installed, scheme: scheme)
    }

    @Test("a package signed for this model, OS, module and a newer version runs")
    func accepted() {
        #expect(refusal(pkg("bmc-2.31", version: "2.31")) == nil)
        #expect(refusal(pkg("bmc-2.31", version: "2.31", os: "debian:12")) == nil)
        #expect(refusal(pkg("bmc-2.31", version: "2.31", os: "bmc")) == nil, "bmc: in-band by the agent, whatever the OS")
        #expect(refusal(pkg("bmc-2.31", version: "2.31"), installed: nil) == nil, "nothing installed: a first install")
        #expect(refusal(pkg("bmc-2.10", version: "2.10", downgrade: true), version: "2.10") == nil, "a signed downgrade")
    }

    @Test("another model, another OS, offline, or a newer schema: refused, naming both sides")
    func whereItMayRun() {
        #expect(refusal(pkg("x", version: "2.31", models: ["T110k"])) == "package targets T110k, this server is R120h: refused")
        #expect(refusal(pkg("x", version: "2.31", os: "rhel")) == "package targets R120h on rhel, this server runs debian:12: refused")
        #expect(refusal(pkg("x", version: "2.31", os: "rhel:9"), platform: r120hRHEL) == nil)
        #expect(refusal(pkg("x", version: "2.31", os: "offline"))?.contains("offline") == true)
        #expect(refusal(pkg("x", version: "2.31", schema: 2))?.contains("newer package schema") == true)
    }

    @Test("the module, the version and the downgrade rule are the signed ones")
    func whatItInstalls() {
        #expect(
            refusal(pkg("x", module: "system-bios", version: "2.31"))
                == "package x is signed for module system-bios, the approval is for bmc-firmware: refused")
        #expect(refusal(pkg("x", version: "2.40")) == "package x is signed as version 2.40, the approval is for 2.31: refused")
        #expect(
            refusal(pkg("x", version: "2.10"), version: "2.10")
                == "x (2.10) is not newer than the installed 2.15 and is not signed to allow a downgrade: refused")
        #expect(refusal(pkg("x", version: "2.15"), version: "2.15")?.contains("not newer") == true, "a reinstall is a downgrade")
        #expect(refusal(pkg("x", version: "2.31", autoUpdate: false))?.contains("download-only") == true)
    }

    @Test("an uninstall needs a signed Uninstall program; its version does not matter")
    func uninstall() {
        #expect(refusal(pkg("x", version: "2.31", uninstall: true), version: nil, uninstall: true) == nil)
        #expect(refusal(pkg("x", version: "2.31"), version: nil, uninstall: true) == "x is signed without an Uninstall program: refused")
    }
}
