import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Requests the local CLI makes of a running daemon, shared between its socket and its poll loop.
/// Each request is answered by a cycle that *started* after it was made, so `check` never returns
/// the result of a poll that was already past the point it asks about.
public final class AgentControl: Sendable {
    struct State {
        var pollNow = false
        var mode = AgentCycle.Mode.apply
        var cancel = false
        var stopping = false
        var lastCycleEnded: Int64?
        /// Cycles started and finished since the daemon started, and the last one's answer (JSON).
        var started = 0
        var finished = 0
        var lastAnswer = ""
    }

    let state = Mutex(State())
    /// The poll loop's wait between polls: a request cancels it, so an idle daemon sleeps instead of
    /// checking for requests (no wake-ups while nothing happens).
    let sleeper = Mutex<Task<Void, Never>?>(nil)

    public init() {}

    /// Asks for a cycle now; returns the number of the cycle that will answer.
    public func request(_ mode: AgentCycle.Mode) -> Int {
        let number = state.withLock { state in
            if !state.pollNow || mode != .check { state.mode = mode }  // apply or cancel win over a check
            if mode == .cancel { state.cancel = true }
            state.pollNow = true
            return state.started + 1
        }
        sleeper.withLock { $0?.cancel() }
        return number
    }

    /// Waits `duration`, or less when a request arrives meanwhile.
    public func wait(_ duration: Duration) async {
        let task = Task<Void, Never> { _ = try? await Task.sleep(for: duration) }
        sleeper.withLock { $0 = task }
        if pollRequested { task.cancel() }  // a request that came before the sleeper was set
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        sleeper.withLock { $0 = nil }
    }

    public var pollRequested: Bool { state.withLock { $0.pollNow } }

    /// Starts a cycle: the mode asked for (apply when nobody asked).
    public func beginCycle() -> AgentCycle.Mode {
        state.withLock { state in
            state.started += 1
            defer { state.pollNow = false; state.mode = .apply }
            return state.pollNow ? state.mode : .apply
        }
    }

    public func cycleFinished(answer: String) {
        let now = Int64(time(nil))
        state.withLock { state in
            state.finished = state.started
            state.lastAnswer = answer
            state.lastCycleEnded = now
        }
    }

    /// When the daemon's last cycle ended (the state on disk keeps the last poll only to the quarter hour).
    public var lastCycleEnded: Int64? { state.withLock { $0.lastCycleEnded } }

    /// The answer of cycle `number` or a later one, once it finished.
    public func answer(for number: Int) -> String? {
        state.withLock { $0.finished >= number ? $0.lastAnswer : nil }
    }

    public var busy: Bool { state.withLock { $0.started > $0.finished } }

    /// The daemon is stopping: a cycle waiting for an update program stops waiting and leaves it running
    /// (the journal has its pid; the next start waits for it and judges it). A stop during its own
    /// package's install would otherwise wait for the install, which waits for the stop.
    public func stop() { state.withLock { $0.stopping = true } }

    public var isStopping: Bool { state.withLock { $0.stopping } }

    /// True once after `cancel` was asked for: the running cycle cancels what has not started.
    public func takeCancel() -> Bool {
        state.withLock { state in
            defer { state.cancel = false }
            return state.cancel
        }
    }
}
