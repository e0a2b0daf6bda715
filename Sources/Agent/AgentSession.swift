import ExupCore
import ExupCrypto
import ExupSystem
import FoundationEssentials
import Inventory

#if canImport(Glibc)
    import Glibc
#endif

/// What one cycle of the agent works on: its saved state, the journal, the last inventory, and the way
/// to the manager. Every change goes to disk before the manager hears of it; every report goes through
/// the outbox.
final class AgentSession {
    let configuration: AgentConfiguration
    let store: AgentStateStore
    let journalStore: ApplyJournalStore
    let outbox: ReportOutbox
    let link: ManagerLink
    let clock: () -> Int64
    var state: AgentState
    var journal: ApplyJournal
    var inventory = Inventory(model: nil, os: nil, modules: [])
    /// The manager could not be reached during this cycle (a poll, a report or a directives check failed).
    var contactLost: String?
    /// It answered, and refused this agent's credential.
    var credentialRefused = false

    /// Records a failed exchange with the manager: what happened, and whether it was a refusal.
    func lostContact(_ error: any Error) {
        contactLost = "\(error)"
        if (error as? AgentError)?.kind == .credentialRefused { credentialRefused = true }
    }
    /// The sequence of the report queued in this cycle, if one was.
    var queued: Int64?
    /// Where the moments the daemon logs go (see AgentEvent).
    var events: AgentEventSink = { _ in }

    init(configuration: AgentConfiguration, store: AgentStateStore, state: AgentState, link: ManagerLink, clock: @escaping () -> Int64) throws {
        self.configuration = configuration
        self.store = store
        self.state = state
        self.link = link
        self.clock = clock
        journalStore = ApplyJournalStore(stateDirectory: store.directory)
        outbox = ReportOutbox(stateDirectory: store.directory)
        journal = try journalStore.load()
    }

    var bootID: String? { LocalFile.readText(configuration.agent.bootIDFile, limit: 256)?.trimmingScalars(in: " \n") }

    func saveJournal() throws { try journalStore.save(journal) }

    /// Reads the inventory; the OS packages the repository offers are read too.
    func readInventory() {
        var sources = configuration.inventory
        let offeredNames =
            (state.offered ?? []).compactMap { ModuleID.osPackageName($0.info.moduleID) }
            + journal.entries.compactMap { ModuleID.osPackageName($0.moduleID) }
        if !offeredNames.isEmpty { sources.packageNames = Array(Set((sources.packageNames ?? []) + offeredNames)).sorted() }
        inventory = InventoryCollector(sources).collect()
        state.platform = inventory.platform.map { Platform(model: Platform.normalizedModel($0.model), os: $0.os) }
        state.modules = inventory.modules
        var saved = inventory
        saved.sensors = nil
        state.inventory = saved
        state.inventoryReadAt = clock()
    }

    /// The inventory for this cycle: read again when due (every inventory interval, at the first cycle,
    /// while work is open, or when asked), else the last one (an idle poll costs no IPMI session).
    func loadInventory(force: Bool) {
        let interval = Int64(configuration.agent.inventoryIntervalSeconds)
        let open = journal.entries.contains { !$0.phase.isFinished }
        // A read that hit a problem (a BMC that did not answer) is tried again at the next poll, and one a
        // different agent version made (this agent was just updated) is read again at once.
        let current = { (saved: Inventory) in saved.modules.first { $0.id == ModuleID.agent }?.version == ExupVersion.string }
        if !force, !open, let saved = state.inventory, saved.problems.isEmpty, saved.modules.allSatisfy({ $0.error == nil }), current(saved),
            let at = state.inventoryReadAt, clock() - at < interval, clock() >= at
        {
            inventory = saved
            return
        }
        readInventory()
    }

    /// The current version of one module, read again now (nil: not installed or unreadable).
    func reread(_ moduleID: String) -> ModuleReading? {
        readInventory()
        return inventory.modules.first { $0.id == moduleID }
    }

    /// Queues a report when anything the manager sees changed, then sends what is waiting. A manager that
    /// cannot be reached is noted, not thrown: the outbox keeps the reports for the next attempt.
    func publish() throws {
        var report = AgentReport(
            sequence: 0, identity: identity(), modules: inventory.modules, sensors: inventory.sensors,
            activities: journal.activities(bootID: bootID), previousVersions: journal.previousVersions,
            items: journal.entries.compactMap(\.reported), refusals: state.metadataRefusal.map { [$0] } ?? [])
        report.problems = inventory.model == nil ? inventory.problems : nil
        report.pollIntervalSeconds = configuration.agent.pollIntervalSeconds
        let digest = try Self.digest(report)
        if digest != state.lastReportDigest {
            report.sequence = state.sequence + 1
            try outbox.enqueue(report)
            state.sequence = report.sequence
            state.lastReportDigest = digest
            try store.save(state)
            queued = report.sequence
        }
        deliver()
    }

    /// Sends the waiting reports in order.
    func deliver() {
        do { try outbox.flush { _ = try link.report($0) } } catch { lostContact(error) }
    }

    func identity() -> AgentReport.Identity {
        AgentReport.Identity(
            model: inventory.model, os: inventory.os, hostname: AgentCycle.hostname(), bootID: bootID,
            agentVersion: ExupVersion.string)
    }

    /// The report's digest with the sequence left out (sensor readings too: they move all the time).
    static func digest(_ report: AgentReport) throws -> String {
        var stable = report
        stable.sequence = 0
        stable.sensors = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SHA256Hasher.hash(Array(try encoder.encode(stable))).hex
    }

    /// Sends the log bundle the manager asked for, or tells it why it cannot.
    func uploadLogBundle() {
        let path = store.directory + "/log-bundle.tar.gz"
        unlink(path)  // a leftover of an interrupted upload
        defer { unlink(path) }
        do {
            try LogBundle.write(stateDirectory: store.directory, to: path)
            try link.uploadLogBundle(path)
        } catch {
            do { try link.logBundleFailed("\(error)") } catch { lostContact(error) }
        }
    }
}
