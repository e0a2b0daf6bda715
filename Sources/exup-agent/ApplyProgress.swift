import Agent
import Dispatch
import ExupCommandLine
import ExupCore
import ExupSystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What `exup-agent apply` shows while the cycle runs (in the daemon or here): the journal is read every
/// 300 ms and each item's step is shown — download %, verifying, running with the program's last output
/// line, the result — live on a terminal, one plain line per step elsewhere.
final class ApplyProgress: Sendable {
    private let stateDirectory: String
    private let stopped = Atomic<Bool>(false)
    /// The cycle's results: the journal may already have dropped finished items when the watcher looks last.
    private let results = Mutex<[AgentReport.ItemState]>([])
    private let done = DispatchSemaphore(value: 0)

    init(stateDirectory: String) { self.stateDirectory = stateDirectory }

    /// Starts watching; what was already finished before the command began is not shown again.
    func start() {
        let journal = ApplyJournalStore(stateDirectory: stateDirectory)
        let before = Dictionary((try? journal.load())?.entries.map { ($0.itemID, $0) } ?? [], uniquingKeysWith: { $1 })
        DispatchQueue(label: "exup-agent.progress").async { [self] in
            let line = ProgressLine()
            var current: Int64?
            var finished = Set<Int64>()
            var shown: [Int64: ApplyJournal.Entry] = [:]
            var printed: [Int64: String] = [:]
            while true {
                let last = stopped.load(ordering: .acquiring)
                let entries = (try? journal.load())?.entries ?? []
                for entry in entries where entry.phase != .pending && !finished.contains(entry.itemID) && before[entry.itemID] != entry {
                    let said = text(entry)
                    guard said != printed[entry.itemID] else { continue }  // each item's step once, however items interleave
                    printed[entry.itemID] = said
                    shown[entry.itemID] = entry
                    if current != entry.itemID, current != nil { line.close() }
                    current = entry.itemID
                    if entry.phase.isFinished {
                        line.finish(said)
                        finished.insert(entry.itemID)
                        current = nil
                    } else {
                        line.update(said)
                    }
                }
                if last {
                    // Items shown but not seen finishing: their result from the cycle's outcome.
                    for result in results.withLock({ $0 }) where !finished.contains(result.itemID) {
                        guard var entry = shown[result.itemID], let phase = Self.phase(result.state) else { continue }
                        entry.phase = phase
                        entry.message = result.message
                        line.finish(text(entry))
                        finished.insert(result.itemID)
                    }
                    break
                }
                usleep(300_000)
            }
            line.close()
            done.signal()
        }
    }

    /// Stops after one last look at the journal and at the cycle's `results` (so every final result is shown).
    func stop(results final: [AgentReport.ItemState] = []) {
        results.withLock { $0 = final }
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        done.wait()
    }

    static func phase(_ state: AgentReport.ItemState.State) -> ApplyJournal.Entry.Phase? {
        switch state {
        case .succeeded: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        case .rebootRequired: .rebootRequired
        case .pending, .downloading, .started: nil
        }
    }

    func text(_ entry: ApplyJournal.Entry) -> String {
        let head = "item #\(entry.itemID) \(entry.moduleID)" + (entry.version.map { " → \($0)" } ?? "") + ": "
        switch entry.phase {
        case .pending: return head + "waiting"
        case .downloading: return head + "downloading \(entry.percent.map { $0 * 4 } ?? 0)%"
        case .downloaded: return head + "downloaded"
        case .verifying: return head + "verifying the signature and every file"
        case .running:
            return head + "running" + (lastOutputLine(entry.itemID).map { ": \($0)" } ?? "")
        case .succeeded: return head + Terminal.paint("succeeded", "32") + (entry.message.map { " (\($0))" } ?? "")
        case .failed: return head + Terminal.paint("FAILED", "1;31") + ": " + (entry.message ?? "no reason recorded")
        case .cancelled: return head + "cancelled" + (entry.message.map { ": \($0)" } ?? "")
        case .rebootRequired:
            return head + "installed; a reboot finishes it"
                + (entry.options.allowReboot ? " (reboot allowed)" : " (reboot not allowed: reboot by hand)")
        }
    }

    /// The update program's last non-empty output line (its log), cut to fit a terminal line.
    func lastOutputLine(_ itemID: Int64) -> String? {
        let fd = open(stateDirectory + "/logs/item-\(itemID).log", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        var tail = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &tail, tail.count, max(0, end - off_t(tail.count)))
        guard n > 0 else { return nil }
        let last = String(decoding: tail[0..<n], as: UTF8.self).split(whereSeparator: \.isNewline)
            .last { !$0.allSatisfy(\.isWhitespace) }
        return last.map { $0.count > 100 ? String($0.prefix(99)) + "…" : String($0) }
    }
}
