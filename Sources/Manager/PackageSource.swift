import ExupCore
import ExupSystem
import Repository

/// Where the manager's packages come from: its own repository, or another manager's it uses remotely
/// (R004–R009). Statuses, approvals and enrolment read packages and the root through this.
public protocol PackageSource: Sendable {
    /// The root.json agents pin (its SHA-256 goes into enrolment tokens).
    func currentRootBytes() throws -> [UInt8]
    /// Every package the source offers to this manager's servers.
    func allPackages() throws -> [PackageInfo]
    /// What an agent reported: its (model, OS) must be served, its previous generations kept, while it
    /// claims them (each report replaces the agent's claim).
    func serveReportedPlatform(_ platform: Platform, previous: [String: String], agent: String) async throws
    /// The agent was revoked: what it claimed is dropped.
    func releaseAgent(_ agent: String, actor: String) async throws
}

extension RepositoryService: PackageSource {
    /// Packages whose signer is no longer trusted are not offered (see checkTrust).
    public nonisolated func allPackages() throws -> [PackageInfo] {
        let refused = untrusted.withLock { $0 }
        return try catalog.packages().map(\.info).filter { refused[$0.id] == nil }
    }
}

extension RemoteRepository: PackageSource {
    /// Notes the needs; a change is told to the remote at once (presence) and the offer re-read, both off
    /// the request's thread.
    public func serveReportedPlatform(_ platform: Platform, previous: [String: String], agent: String) async throws {
        guard try note(agent: agent, platform: platform, previous: previous) else { return }
        await tellRemote()
    }

    public func releaseAgent(_ agent: String, actor: String) async throws {
        guard try forget(agent: agent) else { return }
        await tellRemote()
    }

    private func tellRemote() async {
        _ = try? await OffPool.run {
            try self.sendPresence()
            try self.refresh()
        }
    }
}
