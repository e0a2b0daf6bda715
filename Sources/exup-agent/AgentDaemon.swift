import Agent
import ExupCore
import FoundationEssentials
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The agent's loop as a service: a poll now, then one every poll interval ± 10 % (so a fleet started
/// together never polls in lockstep). A failed poll is logged and retried at the next one. Ends between
/// polls, or during the wait, on SIGTERM/SIGINT.
struct PollService: Service {
    let configuration: AgentConfiguration
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var ready = false
            while !Task.isCancelled {
                do {
                    let outcome = try AgentCycle(configuration: configuration).runOnce()
                    logger.info("poll done", metadata: ["exup.reported": "\(outcome.reported.map(String.init) ?? "no")",
                                                        "exup.items": "\(outcome.directives?.items.count ?? 0)"])
                    if let refusal = outcome.metadataRefusal { logger.warning("\(refusal)") }
                } catch {
                    logger.error("poll failed: \(error)")
                }
                if !ready {
                    notifier.notify("READY=1\nSTATUS=polling every \(configuration.agent.pollIntervalSeconds) s")
                    ready = true
                }
                let seconds = Double(configuration.agent.pollIntervalSeconds) * Double.random(in: 0.9...1.1)
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            }
        }
        notifier.notify("STOPPING=1")
    }
}

/// Pings systemd's watchdog at half its interval while the process is alive and responsive.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                notifier.notify("WATCHDOG=1")
                try? await Task.sleep(for: interval)
            }
        }
    }
}

enum AgentDaemon {
    static func run(_ configuration: AgentConfiguration) async throws {
        var logger = Logger(label: "exup-agent")
        logger.logLevel = .info
        let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
        var services: [any Service] = [PollService(configuration: configuration, notifier: notifier, logger: logger)]
        if let interval = notifier.watchdogInterval { services.append(WatchdogService(notifier: notifier, interval: interval)) }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("exup-agent \(ExupVersion.string) starting, manager \(configuration.manager.url ?? "(not set)")")
        try await group.run()
    }
}
