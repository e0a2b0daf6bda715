import ExupCore
import Testing

/// package-format.md `Target`: model equality and the OS rules (R015).
@Suite struct ApplicabilityTests {
    @Test(
        "OS rules",
        arguments: [
            ("linux", "debian", "12", true),
            ("debian", "debian", "12", true),
            ("debian", "ubuntu", "22.04", false),
            ("rhel:9", "rhel", "9.4", true),  // prefix on a dot boundary
            ("rhel:9", "rhel", "9", true),
            ("rhel:9", "rhel", "90", false),  // not a dot boundary
            ("rhel:9.4", "rhel", "9.4.1", true),
            ("rhel:9.4", "rhel", "9.40", false),
            ("rhel:9", "centos", "9", false),
            ("bmc", "sles", "15.5", true),  // through the BMC, whatever the OS
            ("offline", "debian", "12", true),
        ])
    func osRules(_ c: (String, String, String, Bool)) {
        let rule = OSRule(c.0)!
        #expect(rule.matches(OSIdentity(id: c.1, versionID: c.2)) == c.3, "\(c.0) on \(c.1):\(c.2)")
    }

    @Test("OS rule without a VERSION_ID on the server does not match a versioned rule")
    func noVersionID() {
        #expect(!OSRule("rhel:9")!.matches(OSIdentity(id: "rhel")))
        #expect(OSRule("rhel")!.matches(OSIdentity(id: "rhel")))
    }

    @Test("malformed OS attributes are refused", arguments: ["", "Linux", "rhel:", ":9", "rhel:9:1", "deb ian", "RHEL"])
    func malformedRules(_ text: String) {
        #expect(OSRule(text) == nil, "\(text)")
    }

    @Test("model names compare exactly and case-sensitively, after trimming FRU padding")
    func modelMatching() {
        let p = pkg("a", version: "1", models: ["Express5800/R120h-1M"])
        #expect(p.applies(to: Platform(model: "Express5800/R120h-1M", os: debian12)))
        #expect(!p.applies(to: Platform(model: "express5800/r120h-1m", os: debian12)))
        #expect(!p.applies(to: Platform(model: "Express5800/R120h-1M ", os: debian12)))
        #expect(Platform.normalizedModel("Express5800/R120h-1M  \0\0") == "Express5800/R120h-1M")
        #expect(Platform.normalizedModel(" R120h") == " R120h")
    }

    @Test("a multi-model package applies to each named model and is flagged (Table 20)")
    func multiModel() {
        let p = pkg("a", version: "1", models: ["R120h", "R110j"])
        #expect(p.isMultiModel)
        #expect(p.applies(to: Platform(model: "R110j", os: debian12)))
        #expect(!pkg("b", version: "1").isMultiModel)
    }

    @Test("download-only, offline and incompatible packages are never agent-applicable (R016–R019, §2.1.4)")
    func agentApplicable() {
        #expect(pkg("a", version: "1").isAgentApplicable)
        #expect(!pkg("b", version: "1", autoUpdate: false).isAgentApplicable)
        #expect(!pkg("c", version: "1", os: "offline").isAgentApplicable)
        #expect(!pkg("d", version: "1", schema: 2).isAgentApplicable)
    }

    @Test("package ids follow [A-Za-z0-9._+-]{1,128}")
    func packageIDs() {
        #expect(PackageInfo.isValidID("bmc-r120h-2.31"))
        #expect(PackageInfo.isValidID("a+b_c.D-9"))
        #expect(PackageInfo.isValidID(String(repeating: "x", count: 128)))
        #expect(!PackageInfo.isValidID(String(repeating: "x", count: 129)))
        #expect(!PackageInfo.isValidID(""))
        #expect(!PackageInfo.isValidID("a/b"))
        #expect(!PackageInfo.isValidID("a b"))
        #expect(!PackageInfo.isValidID("é"))
    }

    @Test("release dates are real YYYY-MM-DD days")
    func dates() {
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2023-02-29") == nil)
        #expect(CalendarDate("2026-13-01") == nil)
        #expect(CalendarDate("2026-1-01") == nil)
        #expect(CalendarDate("2026-01-01T00") == nil)
        #expect(CalendarDate("2009-01-02")! < CalendarDate("2009-01-03")!)
        #expect(CalendarDate("2026-03-01")!.description == "2026-03-01")
    }
}
