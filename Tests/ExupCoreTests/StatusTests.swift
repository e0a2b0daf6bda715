import ExupCore
import Testing

/// Table 8 (module status), Table 9 (download-only icons), Table 10 (server status).
@Suite struct ModuleStatusTests {
    let packages = [pkg("p230", version: "2.30"), pkg("p231", version: "2.31")]

    @Test("R034: a newer package → update available")
    func updateAvailable() {
        #expect(ModuleFacts(current: "2.15", packages: packages).status(agentReachable: true) == .updateAvailable)
    }

    @Test("R035: current equal to or newer than the newest → latest")
    func latest() {
        #expect(ModuleFacts(current: "2.31", packages: packages).status(agentReachable: true) == .latest)
        #expect(ModuleFacts(current: "2.40", packages: packages).status(agentReachable: true) == .latest)
    }

    @Test("R036: no package at all → no update package")
    func noPackage() {
        #expect(ModuleFacts(current: "2.15", packages: []).status(agentReachable: true) == .noPackage)
    }

    @Test("R037: agent unreachable → communication failure, whatever else holds")
    func communicationFailure() {
        #expect(ModuleFacts(current: "2.15", packages: packages, activity: .applying).status(agentReachable: false) == .communicationFailure)
    }

    @Test(
        "R038–R046: activities map to their statuses",
        arguments: [
            (ModuleActivity.waitingApply, ModuleStatus.waitingApply),
            (.applying, .applying),
            (.waitingUninstall, .waitingUninstall),
            (.uninstalling, .uninstalling),
            (.rebooting, .rebooting),
            (.rebootRequired, .rebootRequired),
            (.applyFailed, .applyFailed),
            (.cancelled, .cancelled),
        ])
    func activities(_ c: (ModuleActivity, ModuleStatus)) {
        #expect(ModuleFacts(current: "2.31", packages: packages, activity: c.0).status(agentReachable: true) == c.1)
    }

    @Test("a module not installed with a package available (a new install) → update available")
    func newInstall() {
        #expect(ModuleFacts(current: nil, packages: packages).status(agentReachable: true) == .updateAvailable)
    }

    @Test("Table 9: download-only modules show the chosen icon, else the initial icon (R047, R050)")
    func manualIcons() {
        let manual = [pkg("m", version: "3.0", autoUpdate: false)]
        #expect(ModuleFacts(current: "1.0", packages: manual).status(agentReachable: true) == .manualUpdateAvailable)
        #expect(ModuleFacts(current: "1.0", packages: manual, manualIcon: .latest).status(agentReachable: true) == .manualLatest)
        #expect(ModuleFacts(current: "1.0", packages: manual, manualIcon: .noPackage).status(agentReachable: true) == .manualNoPackage)
        #expect(ModuleStatus.manualLatest.label == "-")
    }

    @Test("incompatible packages do not count towards a module's status (§2.1.4: it cannot be told)")
    func incompatibleIgnored() {
        let facts = ModuleFacts(current: "2.31", packages: packages + [pkg("future", version: "9.0", schema: 2)])
        #expect(facts.status(agentReachable: true) == .latest)
    }

    @Test("rpm modules compare with rpm's order")
    func rpmScheme() {
        let p = [pkg("o", module: "package:openssl", version: "3.0.7-27.el9")]
        #expect(ModuleFacts(current: "3.0.7-24.el9", scheme: .rpm, packages: p).status(agentReachable: true) == .updateAvailable)
        #expect(ModuleFacts(current: "1:3.0.7-24.el9", scheme: .rpm, packages: p).status(agentReachable: true) == .latest)
    }
}

@Suite struct ServerStatusTests {
    func aggregate(_ modules: [ModuleStatus], reachable: Bool = true, incompatible: Bool = false) -> ServerStatus {
        ServerStatus.aggregate(agentReachable: reachable, hasIncompatiblePackage: incompatible, modules: modules)
    }

    @Test("R051: Table 10's priority order, highest first")
    func priorityOrder() {
        #expect(
            ServerStatus.allCases == [
                .communicationFailure, .unknown, .applying, .uninstalling,
                .updateAvailable, .applyFailed, .rebootRequired, .latest,
            ])
        #expect(aggregate([.applying], reachable: false) == .communicationFailure)
        #expect(aggregate([.applying], incompatible: true) == .unknown)
        #expect(aggregate([.applying, .uninstalling, .updateAvailable]) == .applying)
        #expect(aggregate([.uninstalling, .updateAvailable, .applyFailed]) == .uninstalling)
        #expect(aggregate([.latest, .rebootRequired]) == .rebootRequired)
        #expect(aggregate([.latest, .latest]) == .latest)
    }

    @Test("R052: update available outranks apply failed")
    func updateOverFailed() { #expect(aggregate([.applyFailed, .updateAvailable]) == .updateAvailable) }

    @Test("R053: apply failed outranks reboot required")
    func failedOverReboot() { #expect(aggregate([.rebootRequired, .applyFailed]) == .applyFailed) }

    @Test("R054: an incompatible package for the model → unknown")
    func unknown() { #expect(aggregate([.latest], incompatible: true) == .unknown) }

    @Test(
        "statuses without a row fall through to latest (spec §7.7)",
        arguments: [
            ModuleStatus.rebooting, .waitingApply, .waitingUninstall, .cancelled, .noPackage, .manualLatest, .manualNoPackage,
        ])
    func fallThrough(_ status: ModuleStatus) { #expect(aggregate([status]) == .latest) }

    @Test("a download-only module marked update-available counts as update available (spec §7.6 default)")
    func manualCounts() { #expect(aggregate([.latest, .manualUpdateAvailable]) == .updateAvailable) }

    @Test("a communication failure reported by one module makes the server's status communication failure")
    func moduleCommunicationFailure() { #expect(aggregate([.latest, .communicationFailure]) == .communicationFailure) }

    @Test("every order of the same modules gives the same answer")
    func orderIndependent() {
        let modules: [ModuleStatus] = [.rebootRequired, .latest, .applyFailed, .noPackage, .cancelled]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 { #expect(aggregate(modules.shuffled(using: &rng)) == .applyFailed) }
    }
}
