import ExupCore
import Testing

/// §2.1.1 latest-only and downgrade (R022–R027), R032–R033, the picker (R067–R068), blocking (R039–R044).
@Suite struct SelectionTests {
    let p229 = pkg("p229", version: "2.29", date: "2025-06-01", downgrade: true)
    let p230 = pkg("p230", version: "2.30", date: "2025-09-01")
    let p231 = pkg("p231", version: "2.31", date: "2026-01-01")
    let p232 = pkg("p232", version: "2.32", date: "2026-03-01")
    let manual = pkg("manual", version: "2.40", date: "2026-04-01", autoUpdate: false)
    var all: [PackageInfo] { [p229, p230, p231, p232, manual] }

    func refusal(_ p: PackageInfo, current: String? = "2.30", latestOnly: Bool, status: ModuleStatus = .updateAvailable) -> SelectionRefusal? {
        Selection.refusal(
            for: p, platform: r120hDebian, current: current, scheme: .debian, packages: all,
            latestOnly: latestOnly, status: status)
    }

    @Test("R022/R067: latest-only offers only the newest newer version")
    func latestOnlyOffers() {
        let offered = Selection.offered(current: "2.30", scheme: .debian, packages: all, latestOnly: true)
        #expect(offered.map(\.package.id) == ["p232"])
    }

    @Test("R023: latest-only refuses any other pick")
    func latestOnlyRefuses() {
        #expect(refusal(p232, latestOnly: true) == nil)
        #expect(refusal(p231, latestOnly: true) == .notNewest(packageID: "p231", newest: "2.32"))
        #expect(refusal(p229, latestOnly: true) == .downgradeNeedsLatestOnlyOff(packageID: "p229"))
    }

    @Test("R024: latest-only off allows a newer, not newest package")
    func latestOnlyOffNewer() {
        #expect(refusal(p231, latestOnly: false) == nil)
        let offered = Selection.offered(current: "2.30", scheme: .debian, packages: all, latestOnly: false)
        #expect(offered.map(\.package.id) == ["p232", "p231", "p229"])
    }

    @Test("R025/R026: at or below the current version only with downgrade support")
    func downgrade() {
        #expect(refusal(p229, latestOnly: false) == nil)
        #expect(refusal(p230, latestOnly: false) == .downgradeNotSupported(packageID: "p230", version: "2.30", current: "2.30"))
        let sameWithDowngrade = pkg("same", version: "2.30", downgrade: true)
        #expect(
            Selection.refusal(
                for: sameWithDowngrade, platform: r120hDebian, current: "2.30", scheme: .debian,
                packages: [sameWithDowngrade], latestOnly: false, status: .latest) == nil)
    }

    @Test("R032/R033: download-only packages never appear and are refused")
    func downloadOnly() {
        #expect(!Selection.offered(current: "2.30", scheme: .debian, packages: all, latestOnly: false).contains { $0.package.id == "manual" })
        #expect(refusal(manual, latestOnly: false) == .downloadOnly(packageID: "manual"))
    }

    @Test("R068: the previous generation is marked [*]")
    func previousGeneration() {
        let offered = Selection.offered(current: "2.31", scheme: .debian, packages: all, latestOnly: false, previousVersion: "2.29")
        let marked = offered.filter(\.isPreviousGeneration)
        #expect(marked.map(\.package.id) == ["p229"])
        #expect(marked.first?.pickerLabel == "2.29 [*]")
        #expect(offered.first { $0.package.id == "p232" }?.pickerLabel == "2.32")
    }

    @Test(
        "R039, R041, R043 and the derived blocking states refuse new items",
        arguments: [
            ModuleStatus.rebooting, .rebootRequired, .applyFailed, .applying, .uninstalling, .waitingApply,
            .waitingUninstall, .communicationFailure,
        ])
    func blocking(_ status: ModuleStatus) {
        #expect(refusal(p232, latestOnly: true, status: status) == .blocked(status))
    }

    @Test("apply is allowed from latest, update available, cancelled and no-package states")
    func notBlocking() {
        for status in [ModuleStatus.updateAvailable, .latest, .cancelled, .noPackage] {
            #expect(ApplyGate.refusal(for: status) == nil)
        }
    }

    @Test("a refusal names the state and what clears it")
    func refusalWording() {
        #expect(SelectionRefusal.blocked(.applyFailed).description == "the module is \"Apply failed\"; only a reboot of the server clears it")
    }

    @Test("not applicable and incompatible packages are refused")
    func otherRefusals() {
        #expect(refusal(pkg("other", version: "9", models: ["T120h"]), latestOnly: false) == .notApplicable(packageID: "other"))
        #expect(refusal(pkg("future", version: "9", schema: 2), latestOnly: false) == .incompatible(packageID: "future"))
    }

    @Test("nothing newer: latest-only offers nothing; latest at run time resolves to nil")
    func nothingNewer() {
        #expect(Selection.offered(current: "2.32", scheme: .debian, packages: all, latestOnly: true).isEmpty)
        #expect(Selection.newest(current: "2.32", scheme: .debian, packages: all) == nil)
        #expect(Selection.newest(current: "2.30", scheme: .debian, packages: all)?.id == "p232")
    }
}

/// §2.1.7, Tables 11/12 (R057–R060), and the reboot rule §2.1.2 (R028–R031, R088–R091).
@Suite struct ApplyOrderTests {
    func item(_ id: String, _ date: String, reboot: Bool, kind: ApplyItem.Kind = .apply, module: String = "m") -> ApplyItem {
        ApplyItem(packageID: id, moduleID: module, kind: kind, rebootRequired: reboot, releaseDate: CalendarDate(date)!)
    }

    @Test("R060: the worked example of Tables 11 and 12")
    func workedExample() {
        let input = [
            item("PKG1", "2009-01-01", reboot: false), item("PKG2", "2009-01-02", reboot: true),
            item("PKG3", "2009-01-03", reboot: false), item("PKG4", "2009-01-04", reboot: true),
        ]
        #expect(ApplyOrder.sorted(input).map(\.packageID) == ["PKG1", "PKG3", "PKG2", "PKG4"])
        #expect(ApplyOrder.sorted(input.reversed()).map(\.packageID) == ["PKG1", "PKG3", "PKG2", "PKG4"])
    }

    @Test("R057/R058: no-reboot first, then oldest release first; ties by package id")
    func ties() {
        let input = [item("b", "2026-01-01", reboot: false), item("a", "2026-01-01", reboot: false), item("c", "2025-01-01", reboot: true)]
        #expect(ApplyOrder.sorted(input).map(\.packageID) == ["a", "b", "c"])
    }

    @Test("R059: the agent's own uninstall runs last, even after reboot-required items")
    func agentUninstallLast() {
        let input = [
            item("agent", "2000-01-01", reboot: false, kind: .uninstall, module: ModuleID.agent),
            item("bios", "2026-01-01", reboot: true), item("tool", "2026-02-01", reboot: false, kind: .uninstall),
        ]
        #expect(ApplyOrder.sorted(input).map(\.packageID) == ["tool", "bios", "agent"])
    }

    @Test("randomized: the result is a permutation and every adjacent pair is in order")
    func randomizedInvariant() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let items = (0..<Int.random(in: 0...8, using: &rng)).map { i in
                item(
                    "p\(Int.random(in: 0...5, using: &rng))\(i)", "2026-0\(Int.random(in: 1...9, using: &rng))-01",
                    reboot: Bool.random(using: &rng))
            }
            let sorted = ApplyOrder.sorted(items)
            #expect(Set(sorted) == Set(items) && sorted.count == items.count)
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                #expect(!a.rebootRequired || b.rebootRequired)
                if a.rebootRequired == b.rebootRequired { #expect(a.releaseDate <= b.releaseDate) }
            }
        }
    }

    @Test("R028–R031: reboot once, only when allowed, all succeeded, and one needs it")
    func rebootRule() {
        let plain = item("a", "2026-01-01", reboot: false), needs = item("b", "2026-01-02", reboot: true)
        #expect(RebootRule.shouldReboot(allowReboot: true, stoppedForLostContact: false, results: [(plain, true), (needs, true)]))
        #expect(!RebootRule.shouldReboot(allowReboot: false, stoppedForLostContact: false, results: [(needs, true)]))  // R030
        #expect(!RebootRule.shouldReboot(allowReboot: true, stoppedForLostContact: false, results: [(plain, false), (needs, true)]))  // R029
        #expect(!RebootRule.shouldReboot(allowReboot: true, stoppedForLostContact: false, results: [(plain, true)]))
        #expect(!RebootRule.shouldReboot(allowReboot: true, stoppedForLostContact: true, results: [(needs, true)]))  // R090
        #expect(!RebootRule.shouldReboot(allowReboot: true, stoppedForLostContact: false, results: []))
    }
}
