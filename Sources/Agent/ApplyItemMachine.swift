import ExupCore

/// One journal entry's life as a pure state machine: each event says what happened, and `handle` returns
/// the step the journal records and the action the runner takes next. No I/O: `ApplyRunner` does the
/// downloads, the checks and the programs, and feeds their outcomes back as events. An event that makes
/// no sense in the current step is refused, never guessed at.
public struct ApplyItemMachine: Sendable, Hashable {
    public typealias Step = ItemLifecycle.Step

    /// How the item's program ended, as the runner observed it.
    public enum ProgramEnding: Sendable, Hashable {
        case timedOut(seconds: Int)
        case exited(status: Int32)
        /// The agent restarted while the program ran: its status is lost, only the module's reading tells.
        case unknownAfterRestart
    }

    public enum Event: Sendable, Hashable {
        /// Before an item starts, the manager's directives were read: `listed` when they still carry it.
        case directivesChecked(listed: Bool)
        /// The manager did not answer before an item started; `stop` when the approval says so (R088–R091).
        case contactLost(stop: Bool)
        /// `exup-agent cancel` on the server.
        case cancelledOnServer
        case downloadStarted
        case downloaded
        /// The download stopped part way; it resumes in a later cycle.
        case downloadInterrupted(reason: String)
        case downloadFailed(reason: String)
        case verificationStarted
        /// Every check passed (hashes, the vendor's signature, what was signed for this server).
        case verified
        /// A check failed or the program could not start.
        case refused(reason: String)
        case programStarted
        /// The program ended; `reachedTarget` when the module now reads what the item aimed at.
        case programEnded(ProgramEnding, reachedTarget: Bool)
        /// The agent started again with this entry open (a crash or a stop in the middle).
        case agentRestarted
    }

    public enum Action: Sendable, Hashable {
        /// Nothing more for this entry now.
        case none
        case download
        case verify
        case startProgram
        /// A program a previous agent started may still run: wait for it, then judge.
        case awaitProgram
        /// The entry ended in `step` (succeeded, failed, cancelled, reboot required), for this reason.
        case finished(Step, reason: String?)
        /// Stop the run here and try again in the next cycle (a download that will resume).
        case retryNextCycle(reason: String)
    }

    /// An event the current step cannot take.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public let step: Step
        public let event: Event
        public var description: String { "an item at step '\(step.rawValue)' cannot take \(event)" }
    }

    public private(set) var step: Step
    public let kind: ApplyItem.Kind
    /// What the vendor signed: the item needs a reboot before its version shows.
    public var rebootRequired: Bool
    /// The agent's own uninstall: the running agent cannot see itself gone, so a clean exit is success.
    public let isOwnUninstall: Bool

    public init(step: Step, kind: ApplyItem.Kind, rebootRequired: Bool, isOwnUninstall: Bool = false) {
        self.step = step
        self.kind = kind
        self.rebootRequired = rebootRequired
        self.isOwnUninstall = isOwnUninstall
    }

    public mutating func handle(_ event: Event) throws(Refusal) -> Action {
        switch (step, event) {
        // Before it starts (pending, downloading, downloaded): the directives decide, or a cancel.
        case (.pending, .directivesChecked(listed: true)): return .download
        case (.downloading, .directivesChecked(listed: true)), (.downloaded, .directivesChecked(listed: true)):
            return step == .downloaded ? .verify : .download
        case (.pending, .directivesChecked(listed: false)), (.downloading, .directivesChecked(listed: false)),
            (.downloaded, .directivesChecked(listed: false)):
            return finish(.cancelled, "cancelled at the manager before it started")
        case (.pending, .contactLost(stop: true)), (.downloading, .contactLost(stop: true)), (.downloaded, .contactLost(stop: true)):
            return finish(.cancelled, "cancelled: contact with the manager was lost before it started (on-lost-contact = stop)")
        case (.pending, .contactLost(stop: false)): return .download
        case (.downloading, .contactLost(stop: false)): return .download
        case (.downloaded, .contactLost(stop: false)): return .verify
        case (.pending, .cancelledOnServer), (.downloading, .cancelledOnServer), (.downloaded, .cancelledOnServer):
            return finish(.cancelled, "cancelled on the server (exup-agent cancel)")

        // Download.
        case (.pending, .downloadStarted), (.downloading, .downloadStarted):
            step = .downloading
            return .none
        case (.downloading, .downloaded):
            step = .downloaded
            return .verify
        case (.downloading, .downloadInterrupted(let reason)):
            step = .pending
            return .retryNextCycle(reason: reason)
        case (.downloading, .downloadFailed(let reason)): return finish(.failed, reason)

        // Checks, then the program: from here on a cancel is refused.
        case (.downloaded, .verificationStarted):
            step = .verifying
            return .none
        case (.verifying, .verified): return .startProgram
        case (.verifying, .refused(let reason)), (.downloaded, .refused(let reason)), (.running, .refused(let reason)):
            return finish(.failed, reason)
        case (.verifying, .programStarted):
            step = .running
            return .none
        case (.running, .programEnded(let ending, let reached)): return judge(ending, reachedTarget: reached)

        // After a restart: an interrupted download or check starts over; a program may still run.
        case (.downloading, .agentRestarted), (.verifying, .agentRestarted):
            step = .pending
            return .none
        case (.running, .agentRestarted): return .awaitProgram
        case (.pending, .agentRestarted), (.downloaded, .agentRestarted): return .none

        // A finished entry takes nothing more.
        case (.succeeded, _), (.failed, _), (.cancelled, _), (.rebootRequired, _):
            throw Refusal(step: step, event: event)
        case (.pending, _), (.downloading, _), (.downloaded, _), (.verifying, _), (.running, _):
            throw Refusal(step: step, event: event)
        }
    }

    /// Success only when the module reads the target version afterwards (for an uninstall: not installed).
    private mutating func judge(_ ending: ProgramEnding, reachedTarget: Bool) -> Action {
        switch ending {
        case .timedOut(let seconds): return finish(.failed, "timed out after \(seconds) s (the program was stopped)")
        case .exited(let status) where status != 0: return finish(.failed, "the program exited with status \(status)")
        case .exited, .unknownAfterRestart: break
        }
        let reached = isOwnUninstall ? ending == .exited(status: 0) : reachedTarget
        let restarted = ending == .unknownAfterRestart ? "the agent restarted while the program ran; " : ""
        if rebootRequired && kind == .apply && !reached {
            return finish(.rebootRequired, restarted + "applied; the version is confirmed after the next boot")
        }
        if reached {
            return finish(rebootRequired ? .rebootRequired : .succeeded, restarted.isEmpty ? nil : restarted + "the module reads the target version")
        }
        return finish(.failed, restarted.isEmpty ? nil : restarted)
    }

    private mutating func finish(_ end: Step, _ reason: String?) -> Action {
        step = end
        return .finished(end, reason: reason)
    }
}
