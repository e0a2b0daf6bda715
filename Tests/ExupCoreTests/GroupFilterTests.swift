import ExupCore
import Testing

@Suite struct GroupFilterTests {
    @Test("Table 21: exactly seven filters; server status for latest and apply failed, any module for the others")
    func table21() {
        #expect(
            GroupFilter.allCases.map(\.rawValue) == [
                "all", "latest", "update-available", "applying", "reboot-required", "apply-failed", "uninstalling",
            ])
        // A server whose status is "apply failed" (it outranks reboot required) but with a module needing an update.
        let mixed: [ModuleStatus] = [.applyFailed, .updateAvailable, .rebootRequired]
        #expect(GroupFilter.applyFailed.matches(server: .applyFailed, modules: mixed))
        #expect(GroupFilter.updateAvailable.matches(server: .applyFailed, modules: mixed), "at least one module (R076)")
        #expect(GroupFilter.rebootRequired.matches(server: .applyFailed, modules: mixed))
        #expect(!GroupFilter.latest.matches(server: .applyFailed, modules: [.latest]), "latest is the server status (R075)")
        #expect(GroupFilter.latest.matches(server: .latest, modules: [.latest, .noPackage]))
        #expect(
            GroupFilter.applying.matches(server: .applying, modules: [.applying])
                && !GroupFilter.applying.matches(server: .latest, modules: [.latest]))
        #expect(GroupFilter.uninstalling.matches(server: .uninstalling, modules: [.waitingUninstall]))
        #expect(GroupFilter.all.matches(server: .unknown, modules: []))
    }
}
