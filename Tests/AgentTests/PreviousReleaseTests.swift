import Agent
import ExupCore
import ExupTesting
import Foundation
import Testing

/// What the released agent (commit 5398e8d) left on disk is read by this one: an agent that updates itself
/// mid-run finishes that run. The fixtures are a state directory that release wrote (journal, state) and a
/// report waiting in its outbox, in that release's format.
@Suite struct PreviousReleaseTests {
    let fixtures = PythonTools.repositoryRoot(from: #filePath) + "/Tests/AgentTests/Fixtures/release-5398e8d"

    @Test("the released journal loads: every step keeps its meaning, and the modules' activities follow from it")
    func journal() throws {
        let journal = try ApplyJournalStore(stateDirectory: fixtures).load()
        let phases = Dictionary(uniqueKeysWithValues: journal.entries.map { ($0.itemID, $0.phase) })
        #expect(phases == [1: .failed, 2: .running, 3: .pending, 4: .rebootRequired])
        #expect(journal.entries.compactMap(\.reported).map(\.state) == [.failed, .started, .rebootRequired], "pending is not reported")
        let boot = journal.entries.first { $0.itemID == 1 }?.finishedBootID
        let activities = journal.activities(bootID: boot)
        #expect(activities["bmc-firmware"] == .applyFailed && activities["sdr"] == .applying)
        #expect(activities["package:exup-hello"] == .waitingUninstall && activities["system-bios"] == .rebootRequired)
        #expect(journal.runnable.map(\.itemID) == [3], "the pending item is still to run")
    }

    @Test("the released state and a waiting report load, and the report still goes out")
    func stateAndOutbox() throws {
        let state = try #require(try AgentStateStore(directory: fixtures).load())
        #expect(state.managerURL.hasPrefix("http://127.0.0.1") && state.sequence > 0)
        let scratch = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: scratch.file("outbox"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: fixtures + "/outbox/0000000000000000003.json", toPath: scratch.file("outbox/0000000000000000003.json"))
        var sent: [AgentReport] = []
        _ = try ReportOutbox(stateDirectory: scratch.path).flush { sent.append($0) }
        #expect(sent.count == 1 && sent[0].sequence == 3 && sent[0].items.map(\.state) == [.failed, .started])
        #expect(sent[0].pollIntervalSeconds == nil && sent[0].problems == nil, "fields added since are optional")
    }
}
