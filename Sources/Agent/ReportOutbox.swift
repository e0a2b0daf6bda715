import ExupCore
import ExupSystem
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Reports waiting for the manager (architecture.md, "Nothing lost"): each is written durably under its
/// sequence number before the first attempt to send it, and removed only once the manager answered
/// 200 (accepted, or "duplicate": it already had it). Sent in sequence order, so a manager that was down
/// for an hour gets every report when it is back, in order, exactly once.
public struct ReportOutbox: Sendable {
    public let directory: String
    public init(stateDirectory: String) { directory = stateDirectory + "/outbox" }

    func path(_ sequence: Int64) -> String {
        let digits = String(sequence)
        return directory + "/" + String(repeating: "0", count: max(0, 19 - digits.count)) + digits + ".json"
    }

    public func enqueue(_ report: AgentReport) throws {
        do {
            try LocalFile.makeDirectories(directory, mode: 0o700)
            try LocalFile.writeAtomically(Array(try JSONEncoder().encode(report)), to: path(report.sequence), mode: 0o600)
        } catch { throw AgentError("cannot keep report #\(report.sequence) in \(directory): \(error)") }
    }

    /// The waiting reports' file names, oldest first.
    public var waiting: [String] {
        ((try? LocalDirectory.list(directory)) ?? []).filter { $0.hasSuffix(".json") }
    }

    /// Sends every waiting report in order; stops at the first one the manager does not take.
    /// Returns the sequences delivered.
    @discardableResult
    public func flush(_ send: (AgentReport) throws -> Void) throws -> [Int64] {
        var delivered: [Int64] = []
        for name in waiting {
            let file = directory + "/" + name
            guard let bytes = LocalFile.read(file, limit: 64 << 20),
                let report = try? JSONDecoder().decode(AgentReport.self, from: Data(bytes))
            else {
                unlink(file)  // a torn file cannot be sent; a later report carries the same state
                continue
            }
            try send(report)
            unlink(file)
            delivered.append(report.sequence)
        }
        return delivered
    }
}
