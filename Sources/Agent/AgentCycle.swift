import ExupCore
import ExupCrypto
import ExupSystem
import FoundationEssentials
import Inventory
#if canImport(Glibc)
import Glibc
#endif

/// One poll of the agent's loop: enrol on the first start (pinning the repository's root.json against
/// the hash the token carries), read the inventory, report it when it changed, and fetch the directives
/// with a conditional GET. `exup-agent run --once` runs exactly this; the daemon repeats it.
public struct AgentCycle {
    public struct Outcome: Sendable, Codable {
        public var name: String
        public var enrolled: Bool
        /// The sequence sent, when a report went out.
        public var reported: Int64?
        public var directivesChanged: Bool
        public var directives: Directives?
        public var problems: [String]
        /// Package ids the repository offers for this model (trusted metadata).
        public var offered: [String]
        public var metadataRefusal: String?
    }

    let configuration: AgentConfiguration
    let store: AgentStateStore
    let clock: () -> Int64

    public init(configuration: AgentConfiguration, clock: @escaping () -> Int64 = { Int64(time(nil)) }) {
        self.configuration = configuration
        store = AgentStateStore(directory: configuration.agent.stateDirectory)
        self.clock = clock
    }

    public func runOnce() throws -> Outcome {
        guard let url = configuration.manager.url else { throw AgentError("[manager] url is not set in the configuration") }
        var enrolled = false
        var state: AgentState
        if let saved = try store.load(), store.credential() != nil {
            state = saved
        } else {
            state = try enrol(url: url)
            enrolled = true
        }
        guard let credential = store.credential() else { throw AgentError("no credential in \(store.directory)") }
        let link = ManagerLink(url: url, credential: credential, caFile: configuration.manager.caFile)

        let inventory = InventoryCollector(configuration.inventory).collect()
        state.platform = inventory.platform.map { Platform(model: Platform.normalizedModel($0.model), os: $0.os) }
        state.modules = inventory.modules
        if let model = inventory.model {
            do {
                state.offered = try RepositoryOffer(metadataDirectory: store.metadataDirectory, managerURL: url, credential: credential,
                                                    caFile: configuration.manager.caFile).refresh(model: model, now: clock())
                state.metadataRefusal = nil
            } catch let error as AgentError {
                state.metadataRefusal = error.description   // the last trusted metadata stays; the manager is told
            }
        }
        var report = AgentReport(sequence: 0, identity: identity(inventory), modules: inventory.modules, sensors: inventory.sensors,
                                 refusals: state.metadataRefusal.map { [$0] } ?? [])
        let digest = try Self.digest(report)
        var reported: Int64?
        if digest != state.lastReportDigest {
            // The new sequence is saved before sending: if the answer is lost, the next attempt uses a
            // fresh number, so a changed report can never be mistaken for a resend.
            report.sequence = state.sequence + 1
            state.sequence = report.sequence
            try store.save(state)
            _ = try link.report(report)   // "duplicate" too means the manager has this sequence
            state.lastReportDigest = digest
            reported = report.sequence
            try store.save(state)
        }

        var changed = false
        if let (directives, etag) = try link.directives(etag: state.directivesETag) {
            state.directives = directives
            state.directivesETag = etag
            changed = true
        }
        state.lastPoll = clock()
        try store.save(state)
        return Outcome(name: state.name, enrolled: enrolled, reported: reported, directivesChanged: changed, directives: state.directives,
                       problems: inventory.problems, offered: (state.offered ?? []).map(\.info.id), metadataRefusal: state.metadataRefusal)
    }

    /// Enrols with the configured token; refuses a root.json whose SHA-256 is not the one the token carries.
    func enrol(url: String) throws -> AgentState {
        guard let token = configuration.manager.enrolmentToken, !token.isEmpty else {
            throw AgentError("not enrolled yet and no [manager] enrolment-token or enrolment-token-file: create one with `exup agents token create`")
        }
        guard let parsed = EnrolmentToken.parse(token) else { throw AgentError("the enrolment token is malformed (expected exup1.<secret>.<sha256>)") }
        let name = configuration.agent.name ?? Self.hostname()
        let answer = try ManagerLink(url: url, credential: nil, caFile: configuration.manager.caFile)
            .enrol(EnrolmentRequest(token: token, name: name, hostname: Self.hostname()))
        guard let root = Base64.decode(Array(answer.root.utf8)), SHA256Hasher.hash(root).hex == parsed.rootSHA256 else {
            throw AgentError("the manager's root.json does not match the SHA-256 in the enrolment token: refusing to trust it")
        }
        let state = AgentState(name: answer.name, managerURL: url)
        try store.saveEnrolment(credential: answer.credential, root: root, state: state)
        return state
    }

    func identity(_ inventory: Inventory) -> AgentReport.Identity {
        let bootID = LocalFile.readText(configuration.agent.bootIDFile, limit: 256)?.trimmingScalars(in: " \n")
        return AgentReport.Identity(model: inventory.model, os: inventory.os, hostname: Self.hostname(), bootID: bootID,
                                    agentVersion: ExupVersion.string)
    }

    /// The report's digest with the sequence left out (sensor readings too: they move all the time).
    static func digest(_ report: AgentReport) throws -> String {
        var stable = report
        stable.sequence = 0
        stable.sensors = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SHA256Hasher.hash(Array(try encoder.encode(stable))).hex
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
