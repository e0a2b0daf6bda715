import ExupCore
import Testing

/// The item lifecycle every side shares: each journal step's manager state, which states are open, and
/// the module activity an open item gives, for every case (a new case fails here until it is placed).
@Suite struct ItemLifecycleTests {
    @Test("every journal step maps to one manager state; finished steps are exactly the closed states")
    func steps() {
        let expected: [ItemLifecycle.Step: ItemLifecycle] = [
            .pending: .pending, .downloading: .downloading, .downloaded: .downloading, .verifying: .started, .running: .started,
            .succeeded: .succeeded, .failed: .failed, .cancelled: .cancelled, .rebootRequired: .rebootRequired,
        ]
        #expect(Set(expected.keys) == Set(ItemLifecycle.Step.allCases), "the table covers every step")
        for step in ItemLifecycle.Step.allCases {
            #expect(step.state == expected[step], "\(step)")
            #expect(step.isFinished == [.succeeded, .failed, .cancelled, .rebootRequired].contains(step), "\(step)")
        }
        #expect(ItemLifecycle.allCases.filter(\.isOpen) == [.pending, .downloading, .started])
    }

    @Test("the raw values are the ones on the wire, in the manager's database and in journals already written")
    func rawValues() {
        #expect(
            ItemLifecycle.allCases.map(\.rawValue) == ["pending", "downloading", "started", "succeeded", "failed", "cancelled", "reboot-required"])
        #expect(
            ItemLifecycle.Step.allCases.map(\.rawValue) == [
                "pending", "downloading", "downloaded", "verifying", "running", "succeeded", "failed", "cancelled", "reboot-required",
            ])
    }

    @Test("an open item's module activity, for both kinds; none once it ended")
    func activities() {
        for state in ItemLifecycle.allCases {
            for kind in [ApplyItem.Kind.apply, .uninstall] {
                let activity = state.activity(for: kind)
                switch state {
                case .pending: #expect(activity == (kind == .apply ? .waitingApply : .waitingUninstall))
                case .downloading, .started: #expect(activity == (kind == .apply ? .applying : .uninstalling))
                case .succeeded, .failed, .cancelled, .rebootRequired: #expect(activity == nil)
                }
            }
        }
    }
}
