/// One approved item's life, as every side knows it: the manager's record, the agent's report (these
/// values are on the wire and in the manager's database) and, step by step, the agent's journal
/// (`Step`, whose values are in the journal file). Mappings are exhaustive switches: a new case does not
/// compile until every side says what it means.
public enum ItemLifecycle: String, Sendable, Codable, CaseIterable, Hashable {
    /// Approved, not started by the agent: it can still be cancelled.
    case pending
    case downloading
    /// Verification began: from here on a cancel is refused.
    case started
    case succeeded, failed, cancelled
    case rebootRequired = "reboot-required"

    /// Still to do or under way (the manager lists it in the directives; a new approval waits).
    public var isOpen: Bool {
        switch self {
        case .pending, .downloading, .started: true
        case .succeeded, .failed, .cancelled, .rebootRequired: false
        }
    }

    /// The agent's steps, as its journal records them.
    public enum Step: String, Sendable, Codable, CaseIterable, Hashable {
        case pending, downloading, downloaded, verifying, running, succeeded, failed, cancelled
        case rebootRequired = "reboot-required"

        public var isFinished: Bool { !state.isOpen }

        /// What the step is on the manager's side.
        public var state: ItemLifecycle {
            switch self {
            case .pending: .pending
            case .downloading, .downloaded: .downloading
            case .verifying, .running: .started
            case .succeeded: .succeeded
            case .failed: .failed
            case .cancelled: .cancelled
            case .rebootRequired: .rebootRequired
            }
        }
    }

    /// The activity an open item gives its module: one derivation for the agent's journal and the
    /// manager's records. Nil once the item has ended (its result speaks through other marks).
    public func activity(for kind: ApplyItem.Kind) -> ModuleActivity? {
        switch (self, kind) {
        case (.pending, .apply): .waitingApply
        case (.pending, .uninstall): .waitingUninstall
        case (.downloading, .apply), (.started, .apply): .applying
        case (.downloading, .uninstall), (.started, .uninstall): .uninstalling
        case (.succeeded, _), (.failed, _), (.cancelled, _), (.rebootRequired, _): nil
        }
    }
}
