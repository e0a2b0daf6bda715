import Agent
import Dispatch
import ExupCommandLine
import ExupCore
import ExupSystem
import FoundationEssentials
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's loop as a service: a poll now, then one every poll interval ± 10 % (so a fleet started
/// together never polls in lockstep). A failed poll is logged and retried at the next one. Ends between
/// polls, during the wait, or while an update program runs (which keeps running), on SIGTERM/SIGINT.
public struct PollService: Service {
    let configuration: AgentConfiguration
    let notifier: SystemdNotifier
    let control: AgentControl
    let logger: Logger

    public init(configuration: AgentConfiguration, notifier: SystemdNotifier, control: AgentControl, logger: Logger) {
        self.configuration = configuration
        self.notifier = notifier
        self.control = control
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // Ready before the first cycle: that cycle may wait an hour for a program a previous agent
            // left running — the install of this agent's own package, which waits for this start.
            notifier.notify("READY=1\nSTATUS=polling every \(configuration.agent.pollIntervalSeconds) s")
            while !Task.isCancelled {
                let mode = control.beginCycle()
                let answer = await withTaskCancellationHandler {
                    await cycle(mode)
                } onCancel: {
                    control.stop()
                }
                control.cycleFinished(answer: answer)
                // The interval ± 10 %, cut short by a request from the local CLI.
                let seconds = Double(configuration.agent.pollIntervalSeconds) * Double.random(in: 0.9...1.1)
                await control.wait(.milliseconds(Int64(seconds * 1000)))
            }
        }
        notifier.notify("STOPPING=1")
    }

    /// One cycle on a thread of its own (an apply can take an hour; the cooperative pool must not wait),
    /// logged, and answered as the JSON line the local CLI receives.
    func cycle(_ mode: AgentCycle.Mode) async -> String {
        let configuration = configuration, control = control, logger = logger
        let events: AgentEventSink = { event in
            let level: Logger.Level =
                switch event.level {
                case .info: .info;
                case .notice: .notice;
                case .warning: .warning;
                case .error: .error
                }
            logger.log(level: level, "\(event.message)", metadata: event.fields.mapValues { .string($0) })
        }
        let result: Result<AgentCycle.Outcome, any Error> = await OffPool.compute("exup-agent.cycle") {
            Result { try AgentCycle(configuration: configuration, mode: mode, control: control, events: events).runOnce() }
        }
        switch result {
        case .success(let outcome):
            // An idle poll says nothing above debug (journald need not store one line every few minutes per server).
            let eventful = outcome.reported != nil || outcome.directivesChanged || !outcome.items.isEmpty || outcome.enrolledNow
            logger.log(
                level: eventful ? .info : .debug, "poll done",
                metadata: [
                    "exup.mode": "\(mode.rawValue)", "exup.reported": "\(outcome.reported.map(String.init) ?? "no")",
                    "exup.items": "\(outcome.items.count)",
                ])
            if let refusal = outcome.metadataRefusal { logger.warning("\(refusal)") }
            return ControlAnswer.success(outcome)
        case .failure(let error as AgentStopping):
            logger.notice("\(error)")
            return ControlAnswer.failure("\(error)")
        case .failure(let error):
            logger.error("poll failed: \(ErrorWording.describe(error))")
            return ControlAnswer.failure("\(error)")
        }
    }
}

/// The local CLI's socket: `check`, `apply` and `cancel` are queued for the poll loop and answered when
/// a cycle that started after them ends; `ping` is answered at once.
public struct ControlService: Service {
    let socketPath: String
    let control: AgentControl
    let logger: Logger
    let pollInterval: Int

    public init(socketPath: String, control: AgentControl, logger: Logger, pollInterval: Int) {
        self.socketPath = socketPath
        self.control = control
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        let server: ControlSocket
        do { server = try ControlSocket(listeningAt: socketPath) } catch {
            logger.warning("local CLI socket unavailable (the CLI falls back to the state on disk): \(error)")
            // Stays until the daemon stops: a service that ends early would stop the whole group.
            try? await gracefulShutdown()
            return
        }
        // Blocking accept on a thread of its own (an idle daemon wakes for nothing); stopping shuts the
        // socket down, which ends the accept.
        await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    DispatchQueue(label: "exup-agent.control").async {
                        while let client = server.accept() { Task { await serve(client) } }
                        done.resume()
                    }
                }
            } onCancel: {
                server.shutdown()
            }
        }
        withExtendedLifetime(server) {}
    }

    func serve(_ client: Int32) async {
        defer { close(client) }
        guard ControlSocket.peerIsTrusted(client) else {
            ControlSocket.writeLine(client, ControlAnswer.failure("only root may use the agent's socket"))
            return
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let line = ControlSocket.readLine(client, limit: 4096),
            let request = try? JSONDecoder().decode([String: String].self, from: Data(line.utf8)), let command = request["command"]
        else {
            ControlSocket.writeLine(client, ControlAnswer.failure("expected one JSON line {\"command\": …}"))
            return
        }
        if command == "ping" {
            ControlSocket.writeLine(
                client,
                #"{"ok":true,"pid":\#(getpid()),"busy":\#(control.busy),"lastPoll":\#(control.lastCycleEnded ?? 0),"pollIntervalSeconds":\#(pollInterval)}"#
            )
            return
        }
        guard let mode = AgentCycle.Mode(rawValue: command) else {
            ControlSocket.writeLine(client, ControlAnswer.failure("unknown command \(command): check, apply, cancel or ping"))
            return
        }
        logger.info("local request: \(command)")
        let number = control.request(mode)
        while !Task.isCancelled {
            if let answer = control.answer(for: number) {
                ControlSocket.writeLine(client, answer)
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Pings systemd's watchdog at half its interval while the process is alive and responsive.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    public init(notifier: SystemdNotifier, interval: Duration) {
        self.notifier = notifier
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                notifier.notify("WATCHDOG=1")
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// The daemon: one per state directory, its services under one service group until SIGTERM or SIGINT.
public enum AgentDaemon {
    public static func run(_ configuration: AgentConfiguration) async throws {
        JournalLogHandler.bootstrap()
        let logger = Logger(label: "exup-agent")
        // One daemon per state directory, for its whole life (a cycle alone is guarded by AgentLock).
        let directory = configuration.agent.stateDirectory
        do { try LocalFile.makeDirectories(directory, mode: 0o700) } catch {
            throw CommandFailure("cannot create the state directory \(directory): \(error.reason)")
        }
        let lock: ProcessLock
        do { lock = try ProcessLock(path: directory + "/daemon.lock") } catch let held as ProcessLock.Held {
            throw CommandFailure(
                "another exup-agent daemon is running (pid \(held.pid.map(String.init) ?? "?")) on \(directory)", code: "daemon-running")
        }
        defer { withExtendedLifetime(lock) {} }
        let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
        let control = AgentControl()
        var services: [any Service] = [
            PollService(configuration: configuration, notifier: notifier, control: control, logger: logger),
            ControlService(
                socketPath: configuration.agent.socketPath, control: control, logger: logger,
                pollInterval: configuration.agent.pollIntervalSeconds),
        ]
        if let interval = notifier.watchdogInterval { services.append(WatchdogService(notifier: notifier, interval: interval)) }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info(
            "exup-agent \(ExupVersion.string) starting",
            metadata: [
                "manager": "\(configuration.manager.url ?? "(not set)")",
                "poll-interval": "\(configuration.agent.pollIntervalSeconds)s",
            ])
        for warning in configuration.warnings { logger.warning("\(warning)") }
        do { try await group.run() } catch {
            logger.error("stopped: \(ErrorWording.describe(error))")
            throw CommandFailure("stopped: \(ErrorWording.describe(error))")
        }
        logger.notice("stopped (SIGTERM or SIGINT): no item was interrupted; a running update program keeps running and is judged at the next start")
    }
}
