import ExupCore
import Testing

@testable import Agent

/// Every (step, event) pair of the apply machine, without processes: what it records and what it asks
/// the runner to do, or that it refuses. The crash-fault tests (ApplyTests, RebootTests) drive the same
/// machine through real programs.
@Suite struct ApplyItemMachineTests {
    typealias Step = ApplyItemMachine.Step
    typealias Event = ApplyItemMachine.Event
    typealias Action = ApplyItemMachine.Action

    static let manager = "cancelled at the manager before it started"
    static let lost = "cancelled: contact with the manager was lost before it started (on-lost-contact = stop)"
    static let local = "cancelled on the server (exup-agent cancel)"

    /// One sample of each kind of event (the program's ending is covered by its own table below).
    static let events: [Event] = [
        .directivesChecked(listed: true), .directivesChecked(listed: false), .contactLost(stop: true), .contactLost(stop: false),
        .cancelledOnServer, .downloadStarted, .downloaded, .downloadInterrupted(reason: "r"), .downloadFailed(reason: "f"),
        .verificationStarted, .verified, .refused(reason: "x"), .programStarted,
        .programEnded(.exited(status: 0), reachedTarget: true), .agentRestarted,
    ]

    /// Each kind of event, by an exhaustive switch: a new event does not compile until it is named here,
    /// and `everyKindSampled` fails until `events` samples it.
    static func kind(_ event: Event) -> String {
        switch event {
        case .directivesChecked: "directivesChecked"
        case .contactLost: "contactLost"
        case .cancelledOnServer: "cancelledOnServer"
        case .downloadStarted: "downloadStarted"
        case .downloaded: "downloaded"
        case .downloadInterrupted: "downloadInterrupted"
        case .downloadFailed: "downloadFailed"
        case .verificationStarted: "verificationStarted"
        case .verified: "verified"
        case .refused: "refused"
        case .programStarted: "programStarted"
        case .programEnded: "programEnded"
        case .agentRestarted: "agentRestarted"
        }
    }

    @Test("the table samples every kind of event")
    func everyKindSampled() {
        #expect(Set(Self.events.map(Self.kind)).count == 13)
    }

    /// What each step does with each event; an event missing from a step's row is refused.
    static let table: [Step: [Event: (Step, Action)]] = [
        .pending: [
            .directivesChecked(listed: true): (.pending, .download),
            .directivesChecked(listed: false): (.cancelled, .finished(.cancelled, reason: manager)),
            .contactLost(stop: true): (.cancelled, .finished(.cancelled, reason: lost)),
            .contactLost(stop: false): (.pending, .download),
            .cancelledOnServer: (.cancelled, .finished(.cancelled, reason: local)),
            .downloadStarted: (.downloading, .none),
            .agentRestarted: (.pending, .none),
        ],
        .downloading: [
            .directivesChecked(listed: true): (.downloading, .download),
            .directivesChecked(listed: false): (.cancelled, .finished(.cancelled, reason: manager)),
            .contactLost(stop: true): (.cancelled, .finished(.cancelled, reason: lost)),
            .contactLost(stop: false): (.downloading, .download),
            .cancelledOnServer: (.cancelled, .finished(.cancelled, reason: local)),
            .downloadStarted: (.downloading, .none),
            .downloaded: (.downloaded, .verify),
            .downloadInterrupted(reason: "r"): (.pending, .retryNextCycle(reason: "r")),
            .downloadFailed(reason: "f"): (.failed, .finished(.failed, reason: "f")),
            .agentRestarted: (.pending, .none),
        ],
        .downloaded: [
            .directivesChecked(listed: true): (.downloaded, .verify),
            .directivesChecked(listed: false): (.cancelled, .finished(.cancelled, reason: manager)),
            .contactLost(stop: true): (.cancelled, .finished(.cancelled, reason: lost)),
            .contactLost(stop: false): (.downloaded, .verify),
            .cancelledOnServer: (.cancelled, .finished(.cancelled, reason: local)),
            .verificationStarted: (.verifying, .none),
            .refused(reason: "x"): (.failed, .finished(.failed, reason: "x")),
            .agentRestarted: (.downloaded, .none),
        ],
        .verifying: [
            .verified: (.verifying, .startProgram),
            .refused(reason: "x"): (.failed, .finished(.failed, reason: "x")),
            .programStarted: (.running, .none),
            .agentRestarted: (.pending, .none),
        ],
        .running: [
            .refused(reason: "x"): (.failed, .finished(.failed, reason: "x")),
            .programEnded(.exited(status: 0), reachedTarget: true): (.succeeded, .finished(.succeeded, reason: nil)),
            .agentRestarted: (.running, .awaitProgram),
        ],
        .succeeded: [:], .failed: [:], .cancelled: [:], .rebootRequired: [:],
    ]

    @Test("every step × every event: the step recorded and the action asked for, or a refusal", arguments: Step.allCases)
    func everyPair(step: Step) throws {
        let row = try #require(Self.table[step], "the table lists every step")
        for event in Self.events {
            var machine = ApplyItemMachine(step: step, kind: .apply, rebootRequired: false)
            if let (next, action) = row[event] {
                #expect(try machine.handle(event) == action, "\(step) + \(event)")
                #expect(machine.step == next, "\(step) + \(event)")
            } else {
                #expect(throws: ApplyItemMachine.Refusal.self, "\(step) + \(event) is refused") { try machine.handle(event) }
                #expect(machine.step == step, "a refused event changes nothing")
            }
        }
    }

    @Test("a program's end: exit status, time-out, the module's reading, a reboot to confirm, a restart in between, the agent's own uninstall")
    func judging() throws {
        func end(
            _ ending: ApplyItemMachine.ProgramEnding, reached: Bool, kind: ApplyItem.Kind = .apply, reboot: Bool = false, own: Bool = false
        ) throws -> Action {
            var machine = ApplyItemMachine(step: .running, kind: kind, rebootRequired: reboot, isOwnUninstall: own)
            let action = try machine.handle(.programEnded(ending, reachedTarget: reached))
            if case .finished(let step, _) = action { #expect(machine.step == step) }
            return action
        }
        #expect(try end(.exited(status: 0), reached: true) == .finished(.succeeded, reason: nil))
        #expect(try end(.exited(status: 0), reached: false) == .finished(.failed, reason: nil))
        #expect(try end(.exited(status: 3), reached: true) == .finished(.failed, reason: "the program exited with status 3"))
        #expect(try end(.timedOut(seconds: 60), reached: true) == .finished(.failed, reason: "timed out after 60 s (the program was stopped)"))
        #expect(
            try end(.exited(status: 0), reached: false, reboot: true)
                == .finished(.rebootRequired, reason: "applied; the version is confirmed after the next boot"))
        #expect(try end(.exited(status: 0), reached: true, reboot: true) == .finished(.rebootRequired, reason: nil))
        #expect(
            try end(.unknownAfterRestart, reached: true)
                == .finished(.succeeded, reason: "the agent restarted while the program ran; the module reads the target version"))
        #expect(try end(.unknownAfterRestart, reached: false) == .finished(.failed, reason: "the agent restarted while the program ran; "))
        // An uninstall that needs a reboot and still reads the module installed has failed (only applies wait for the boot).
        #expect(try end(.exited(status: 0), reached: false, kind: .uninstall, reboot: true) == .finished(.failed, reason: nil))
        // The agent removing itself cannot read itself gone: a clean exit is success, whatever the reading.
        #expect(try end(.exited(status: 0), reached: false, kind: .uninstall, own: true) == .finished(.succeeded, reason: nil))
        #expect(
            try end(.exited(status: 1), reached: true, kind: .uninstall, own: true) == .finished(.failed, reason: "the program exited with status 1"))
    }
}
