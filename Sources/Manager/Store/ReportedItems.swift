import ApplicationLog
import ExupCore

/// How a report moves the agent's approved items on. Pure: each engine's store applies what this decides
/// inside the transaction that stores the report.
public enum ReportedItems {
    /// One item's new state, as the store writes it.
    public struct Update: Sendable, Hashable {
        public var itemID: Int64
        public var state: ItemLifecycle
        public var percent: Int?
        public var message: String?
    }

    public struct Outcome: Sendable, Hashable {
        public var updates: [Update] = []
        public var transitions: [ItemTransition] = []
        /// An item reached an end: the agent's directives change.
        public var closedAnItem = false
        /// The agent's own uninstall succeeded: the server is no longer managed (R195).
        public var uninstalledItself = false
    }

    /// The changes a report makes to the items the manager holds for that agent (`items`, by id).
    public static func outcome(of report: AgentReport, items held: [Int64: ApprovalItemRecord]) -> Outcome {
        var outcome = Outcome()
        // Updated as the report is read: an item listed twice moves on (and is logged) once.
        var items = held
        for reported in report.items {
            guard let item = items[reported.itemID] else { continue }
            let newState = reported.state
            // Only the manager makes an item pending (an approval): an agent reports what it did.
            guard newState != .pending else { continue }
            // The agent's journal is the truth: an item it started in the instant a cancel was accepted ran.
            let raced = item.state == .cancelled && newState != .cancelled && newState != .downloading
            // A reboot-required item is confirmed (or not) after the next boot.
            let confirmed = item.state == .rebootRequired && (newState == .succeeded || newState == .failed)
            // A reboot-required item can still learn something before the boot (the reboot did not happen).
            let noted = item.state == .rebootRequired && newState == .rebootRequired && item.message != reported.message
            guard item.state.isOpen || raced || confirmed || noted,
                item.state != newState || item.percent != reported.percent || noted
            else { continue }
            outcome.updates.append(Update(itemID: item.id, state: newState, percent: reported.percent, message: reported.message))
            items[item.id]?.state = newState
            items[item.id]?.percent = reported.percent
            items[item.id]?.message = reported.message
            if !newState.isOpen { outcome.closedAnItem = true }
            if newState == .succeeded, item.kind == .uninstall, item.moduleID == ModuleID.agent { outcome.uninstalledItself = true }
            switch newState {
            case .started:
                if item.state != .started { outcome.transitions.append(ItemTransition(event: .applyStarted, item: item, cause: nil)) }
            case .succeeded, .rebootRequired:
                outcome.transitions.append(ItemTransition(event: .applyCompleted, item: item, cause: reported.message))
            case .failed:
                outcome.transitions.append(ItemTransition(event: .applyFailed, item: item, cause: reported.message ?? "no cause reported"))
            case .pending, .downloading, .cancelled: break
            }
        }
        return outcome
    }
}
