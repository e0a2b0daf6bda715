import ExupCore
import ExupSystem
import FoundationEssentials

/// The agent's record of approved work (architecture.md, "Recover"): one entry per approved item, written
/// durably *before* the step it names starts, so that after a crash at any moment the agent knows what
/// ran, what may still be running, and what never started. Finished entries stay until the manager no
/// longer lists their item and the reports that carry their result were delivered.
public struct ApplyJournal: Sendable, Codable, Hashable {
    public struct Entry: Sendable, Codable, Hashable {
        /// The agent's steps of the item lifecycle (ExupCore's ItemLifecycle.Step; the journal stores their values).
        public typealias Phase = ItemLifecycle.Step

        public var itemID: Int64
        public var kind: ApplyItem.Kind
        public var packageID: String
        public var moduleID: String
        /// The version the module must read afterwards (for an uninstall: nil, "not installed").
        public var version: String?
        /// The TUF target: what is downloaded and checked (nil when the repository does not offer it).
        public var target: OfferedPackage?
        /// From the signed package once it is verified (before that, the repository's description).
        public var rebootRequired: Bool
        /// The program's time limit from the signed package, set once it is verified.
        public var timeoutSeconds: Int?
        public var options: ApprovalOptions
        /// The module's version when the item was planned (the `[*]` mark after success).
        public var previousVersion: String?
        public var phase: Phase
        public var percent: Int?
        public var message: String?
        /// Set the moment the program is started; how a restarted agent finds it again.
        public var program: DetachedProgram?
        /// When the program was started (seconds since 1970): its time limit runs from here.
        public var startedAt: Int64?
        /// The boot the item finished in: "reboot required" and "apply failed" last until the next boot.
        public var finishedBootID: String?
        /// Part of a run whose reboot has not been decided yet (nil in journals written before reboots).
        public var awaitingRebootDecision: Bool?

        public var applyItem: ApplyItem {
            ApplyItem(
                packageID: packageID, moduleID: moduleID, kind: kind, rebootRequired: rebootRequired,
                releaseDate: target?.info.releaseDate ?? CalendarDate(year: 1970, month: 1, day: 1)!)
        }

        /// The state the manager is told (nothing while it waits: the manager already knows it is pending).
        public var reported: AgentReport.ItemState? {
            guard phase != .pending else { return nil }
            return AgentReport.ItemState(itemID: itemID, state: phase.state, percent: percent, message: message)
        }
    }

    public var entries: [Entry] = []
    /// The boot in which the reboot command ran: modules show "rebooting" until the boot id changes.
    public var rebootRequestedInBoot: String?
    /// When (seconds since 1970) the reboot command returned successfully in the boot above: set, the
    /// command is never run again in that boot, however often the agent restarts.
    public var rebootCommandRanAt: Int64?
    /// Items finished and compacted away, newest last (bounded): an item the manager lists again (a
    /// restore from backup, say) is never run a second time.
    public var finishedItemIDs: [Int64]? = []
    /// The manager could not be reached during the run and its rule said stop (R088–R091).
    public var stoppedForLostContact = false

    public init() {}

    public func entry(_ itemID: Int64) -> Entry? { entries.first { $0.itemID == itemID } }

    /// Entries still to run, in the order seed §2.1.7 prescribes.
    public var runnable: [Entry] {
        let open = entries.filter { !$0.phase.isFinished && $0.phase != .running }
        let order = ApplyOrder.sorted(open.map(\.applyItem))
        return order.compactMap { item in open.first { $0.packageID == item.packageID && $0.kind == item.kind } }
    }

    /// What each module is going through, for the report and `exup-agent status`: running items, and
    /// finished ones whose mark lasts until the next boot.
    public func activities(bootID: String?) -> [String: ModuleActivity] {
        var out: [String: ModuleActivity] = [:]
        for entry in entries {
            switch entry.phase {
            case .pending, .downloading, .downloaded, .verifying, .running: out[entry.moduleID] = entry.phase.state.activity(for: entry.kind)
            case .rebootRequired where entry.finishedBootID == bootID:
                out[entry.moduleID] = rebootRequestedInBoot == bootID ? .rebooting : .rebootRequired
            case .failed where entry.finishedBootID == bootID && entry.program != nil: out[entry.moduleID] = .applyFailed
            // Marks of an earlier boot have gone; a failure before any program ran (a refusal) and a
            // success or cancel leave no activity.
            case .rebootRequired, .failed, .succeeded, .cancelled: break
            }
        }
        return out
    }

    /// Module id → the version before the last successful apply.
    public var previousVersions: [String: String] {
        var out: [String: String] = [:]
        for entry in entries where entry.phase == .succeeded {  // a reboot-required item has not changed the version yet
            if let previous = entry.previousVersion { out[entry.moduleID] = previous }
        }
        return out
    }

    /// Drops finished entries the manager no longer lists (their results were delivered), except the
    /// marks that last until the next boot.
    /// Returns the ids dropped (their logs can go too).
    @discardableResult
    public mutating func compact(listed: Set<Int64>, delivered: Bool, bootID: String?) -> [Int64] {
        guard delivered else { return [] }
        let before = Set(entries.map(\.itemID))
        var finished = finishedItemIDs ?? []
        entries.removeAll { entry in
            guard entry.phase.isFinished, !listed.contains(entry.itemID), entry.awaitingRebootDecision != true else { return false }
            let marksModule = (entry.phase == .rebootRequired || entry.phase == .failed) && entry.finishedBootID == bootID
            if !marksModule { finished.append(entry.itemID) }
            return !marksModule
        }
        finishedItemIDs = Array(finished.suffix(10_000))
        return before.subtracting(entries.map(\.itemID)).sorted()
    }

    /// A module that refuses new items until the server reboots (R039–R046), with the state that blocks it.
    public func blockingState(of moduleID: String, bootID: String?) -> ModuleActivity? {
        guard let activity = activities(bootID: bootID)[moduleID], [.rebootRequired, .rebooting, .applyFailed].contains(activity) else { return nil }
        return activity
    }

    /// Whether this item already ran (or was cancelled, or failed) here.
    public func hasFinished(_ itemID: Int64) -> Bool {
        entry(itemID)?.phase.isFinished == true || (finishedItemIDs ?? []).contains(itemID)
    }
}

/// `journal.json` in the state directory, replaced atomically (temp + fsync + rename + directory fsync).
public struct ApplyJournalStore: Sendable {
    public let path: String

    public init(stateDirectory: String) { path = stateDirectory + "/journal.json" }

    static let cache = DecodedFileCache<ApplyJournal>()

    public func load() throws -> ApplyJournal {
        do {
            return try Self.cache.load(path, limit: 16 << 20) { try JSONDecoder().decode(ApplyJournal.self, from: Data($0)) } ?? ApplyJournal()
        } catch {
            throw AgentError("\(path) is damaged (\(error)); the agent will not guess what ran: move it aside after checking the servers' modules")
        }
    }

    /// Written before each step it records; nothing is written when nothing changed.
    public func save(_ journal: ApplyJournal) throws {
        if journal == ApplyJournal(), !LocalFile.exists(path) { return }
        do {
            try Self.cache.save(path, journal, mode: 0o600) { journal in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                return Array(try encoder.encode(journal))
            }
        } catch { throw AgentError("cannot write the journal \(path): \(error)") }
    }
}
