import ExupCore
import ExupCrypto
import ExupSystem
import FoundationEssentials
import GRDB
import Repository
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// Approvals, cancels and uninstall requests (R022–R033, R061–R068, §2.1.8, §3.9).
extension ManagerService {
    public struct ModuleChoice: Sendable, Codable, Hashable {
        public var id: String
        public var version: String?

        public init(id: String, version: String?) {
            self.id = id
            self.version = version
        }
    }

    /// Approves updates for a server. Every pick is checked against the rules first; one refusal refuses
    /// the whole approval, naming each module and why.
    public func approve(
        _ name: String, modules requested: [ModuleChoice]?, options: ApprovalOptions, latestAtRunTime: Bool,
        actor: String
    ) throws -> [ApprovalItemRecord] {
        guard let agent = try agentRecord(name), !agent.revoked else { throw ManagerError.notFound("no server \(name)") }
        guard let report = agent.report, let platform = ServerDetail.platform(of: report) else {
            throw ManagerError.conflict("no-report", "\(name) has not reported its inventory yet")
        }
        let reachable = reachable(agent)
        let items = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approval_item WHERE agent = ?", arguments: [name]).map(ApprovalItemRecord.init(row:))
        }
        let packages = try repositoryPackages(for: platform)
        let readings = Dictionary(report.modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let choices: [ModuleChoice]
        if let requested, !requested.isEmpty {
            choices = requested
        } else {
            choices = report.modules.filter {
                moduleFacts($0, platform: platform, packages: packages, items: items, report: report, reportSequence: agent.reportSequence)
                    .status(agentReachable: reachable) == .updateAvailable
            }.map { ModuleChoice(id: $0.id, version: nil) }
            guard !choices.isEmpty else { throw ManagerError.conflict("nothing-to-approve", "\(name) has no pending updates") }
        }
        var refusals: [String] = []
        var planned: [(module: String, package: PackageInfo?)] = []
        for choice in choices {
            guard let reading = readings[choice.id] else { refusals.append("\(choice.id): \(name) does not report this module"); continue }
            let facts = moduleFacts(
                reading, platform: platform, packages: packages, items: items, report: report, reportSequence: agent.reportSequence)
            let status = facts.status(agentReachable: reachable)
            if let blocked = ApplyGate.refusal(for: status) { refusals.append("\(choice.id): \(blocked)"); continue }
            if let version = choice.version {
                guard
                    let package = Selection.sortedNewestFirst(facts.packages, scheme: facts.scheme)
                        .first(where: { facts.scheme.compare($0.version, version) == 0 })
                else {
                    refusals.append("\(choice.id): no package of version \(version) in the repository for \(platform)")
                    continue
                }
                if let refusal = Selection.refusal(
                    for: package, platform: platform, current: reading.version, scheme: facts.scheme,
                    packages: facts.packages, latestOnly: options.latestOnly, status: status)
                {
                    refusals.append("\(choice.id): \(refusal)")
                    continue
                }
                planned.append((choice.id, package))
            } else if latestAtRunTime {
                guard facts.packages.contains(where: \.isAgentApplicable) else {
                    refusals.append("\(choice.id): the repository has no applicable package"); continue
                }
                planned.append((choice.id, nil))
            } else {
                guard let newest = Selection.newest(current: reading.version, scheme: facts.scheme, packages: facts.packages) else {
                    refusals.append("\(choice.id): \(SelectionRefusal.nothingNewer(current: reading.version ?? "-"))"); continue
                }
                planned.append((choice.id, newest))
            }
        }
        guard refusals.isEmpty else { throw ManagerError.conflict("refused", "approval refused: " + refusals.joined(separator: "; ")) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let optionsJSON = String(decoding: try encoder.encode(options), as: UTF8.self)
        let now = clock()
        let created = try store.write { db -> [ApprovalItemRecord] in
            var out: [ApprovalItemRecord] = []
            for plan in planned {
                try db.execute(
                    sql: """
                        INSERT INTO approval_item (agent, kind, module, package_id, version, latest_at_run_time, options, state, created, updated)
                        VALUES (?, 'apply', ?, ?, ?, ?, ?, 'pending', ?, ?)
                        """, arguments: [name, plan.module, plan.package?.id, plan.package?.version, plan.package == nil, optionsJSON, now, now])
                out.append(
                    try ApprovalItemRecord(
                        row: try Row.fetchOne(db, sql: "SELECT * FROM approval_item WHERE id = ?", arguments: [db.lastInsertedRowID])!))
            }
            try db.execute(sql: "UPDATE agent SET directives_version = directives_version + 1 WHERE name = ?", arguments: [name])
            return out
        }
        for item in created {
            try log(
                .updatesApproved, actor: actor, server: name, module: item.moduleID,
                versions: "\(readings[item.moduleID]?.version ?? "-") → \(item.version ?? "newest at run time")",
                cause: options.allowReboot ? "reboot allowed" : nil)
        }
        return created
    }

    public struct CancelOutcome: Sendable, Codable {
        public var cancelled: [Int64]
        public var refused: [Refused]
        public struct Refused: Sendable, Codable { public var id: Int64; public var module: String; public var reason: String }
    }

    /// Cancels items not started yet; a started item cannot be cancelled (R061–R063).
    public func cancel(_ name: String, actor: String) throws -> CancelOutcome {
        guard try agentRecord(name) != nil else { throw ManagerError.notFound("no server \(name)") }
        let now = clock()
        let (cancelled, refused) = try store.write { db -> ([ApprovalItemRecord], [ApprovalItemRecord]) in
            let open = try Row.fetchAll(
                db, sql: "SELECT * FROM approval_item WHERE agent = ? AND state IN ('pending', 'downloading', 'started')",
                arguments: [name]
            ).map(ApprovalItemRecord.init(row:))
            // Downloading is not started: the agent asks again right before each item starts.
            let cancellable = open.filter { $0.state == .pending || $0.state == .downloading }
            for item in cancellable {
                try db.execute(
                    sql: """
                        UPDATE approval_item SET state = 'cancelled', updated = ?,
                            report_sequence = (SELECT report_sequence FROM agent WHERE name = ?) WHERE id = ?
                        """, arguments: [now, name, item.id])
            }
            if !cancellable.isEmpty {
                try db.execute(sql: "UPDATE agent SET directives_version = directives_version + 1 WHERE name = ?", arguments: [name])
            }
            return (cancellable, open.filter { $0.state == .started })
        }
        for item in cancelled { try log(.updateCancelled, actor: actor, server: name, module: item.moduleID, versions: item.version) }
        for item in refused {
            try log(.cancelFailed, actor: actor, server: name, module: item.moduleID, versions: item.version, cause: "already running")
        }
        return CancelOutcome(
            cancelled: cancelled.map(\.id),
            refused: refused.map { .init(id: $0.id, module: $0.moduleID, reason: "already running; a running item cannot be cancelled") })
    }

    /// Queues the removal of a module whose installed package has an Uninstall program (seed §3.9).
    public func uninstall(_ name: String, module: String, options: ApprovalOptions, actor: String) throws -> ApprovalItemRecord {
        guard let agent = try agentRecord(name), let report = agent.report, let platform = ServerDetail.platform(of: report) else {
            throw ManagerError.notFound("no server \(name) with a report")
        }
        guard let reading = report.modules.first(where: { $0.id == module }), let current = reading.version else {
            throw ManagerError.conflict("not-installed", "\(module) is not installed on \(name)")
        }
        let scheme = VersionScheme.forModule(module, on: platform.os)
        guard
            let package = try repositoryPackages(for: platform).first(where: {
                $0.moduleID == module && $0.uninstall != nil && scheme.compare($0.version, current) == 0
            })
        else {
            throw ManagerError.conflict("no-uninstaller", "no package in the repository can uninstall \(module) \(current)")
        }
        let items = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approval_item WHERE agent = ?", arguments: [name]).map(ApprovalItemRecord.init(row:))
        }
        let status = moduleFacts(reading, platform: platform, packages: [package], items: items, report: report, reportSequence: agent.reportSequence)
            .status(agentReachable: reachable(agent))
        if let blocked = ApplyGate.refusal(for: status) { throw ManagerError.conflict("refused", "\(module): \(blocked)") }
        let encoder = JSONEncoder()
        let now = clock()
        let item = try store.write { db -> ApprovalItemRecord in
            try db.execute(
                sql: """
                    INSERT INTO approval_item (agent, kind, module, package_id, version, latest_at_run_time, options, state, created, updated)
                    VALUES (?, 'uninstall', ?, ?, ?, 0, ?, 'pending', ?, ?)
                    """, arguments: [name, module, package.id, current, String(decoding: try encoder.encode(options), as: UTF8.self), now, now])
            try db.execute(sql: "UPDATE agent SET directives_version = directives_version + 1 WHERE name = ?", arguments: [name])
            return try ApprovalItemRecord(
                row: try Row.fetchOne(db, sql: "SELECT * FROM approval_item WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
        try log(.uninstallRequested, actor: actor, server: name, module: module, versions: current)
        return item
    }
}
