import ExupCore
import ExupSystem
import FoundationEssentials

/// What the agent keeps between polls, in its state directory (0700): its credential (0600), the
/// repository's root.json it pinned at enrolment, and `state.json` (report sequence, last report's
/// digest, the directives and their ETag). Every file is replaced atomically, so a crash leaves the old
/// or the new state, never half of one.
public struct AgentState: Sendable, Codable, Hashable {
    public var name: String
    public var managerURL: String
    /// The sequence of the last report the manager accepted (or that is waiting to be resent).
    public var sequence: Int64 = 0
    /// SHA-256 of the last report sent, sequence left out: an unchanged inventory sends nothing.
    public var lastReportDigest: String?
    public var directivesETag: String?
    public var directives: Directives?
    /// Seconds since 1970 of the last poll the manager answered.
    public var lastPoll: Int64?
    /// What the repository offers for this server's model, from the last trusted metadata.
    public var offered: [OfferedPackage]?
    /// Why the last metadata refresh was refused, if it was.
    public var metadataRefusal: String?
    /// The last inventory's platform and modules (what `exup-agent status` shows without reading the BMC).
    public var platform: Platform?
    public var modules: [ModuleReading]?
    /// The last full inventory (sensors left out) and when it was read: idle polls reuse it.
    public var inventory: Inventory?
    public var inventoryReadAt: Int64?
    /// The repository's timestamp.json ETag and the model the offer is for: an unchanged timestamp costs
    /// one 304 and no metadata work.
    public var timestampETag: String?
    public var offerModel: String?

    public init(name: String, managerURL: String) {
        self.name = name
        self.managerURL = managerURL
    }
}

/// The state directory's files.
public struct AgentStateStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    var credentialPath: String { directory + "/credential" }
    /// The trusted TUF metadata; `root.json` here is the root pinned at enrolment, then its successors.
    public var metadataDirectory: String { directory + "/metadata" }
    public var rootPath: String { metadataDirectory + "/root.json" }
    var statePath: String { directory + "/state.json" }

    /// The agent's credential; refused (never silently replaced by a new enrolment) when others can change it.
    public func credential() throws -> String? {
        do { return try SecretFile.read(credentialPath, limit: 4096)?.text.trimmingScalars(in: " \r\n") } catch {
            throw AgentError(error.description)
        }
    }

    static let cache = DecodedFileCache<AgentState>()

    public func load() throws -> AgentState? {
        do {
            return try Self.cache.load(statePath, limit: 16 << 20) { try JSONDecoder().decode(AgentState.self, from: Data($0)) }
        } catch {
            throw AgentError("\(statePath) is damaged (\(error)); move it aside to re-read the state from the manager")
        }
    }

    /// Writes the state when it changed (an idle poll writes nothing to disk).
    public func save(_ state: AgentState) throws {
        try Self.cache.save(statePath, state, mode: 0o600) { state in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return Array(try encoder.encode(state))
        }
    }

    /// Writes what enrolment returned: root.json first, then the credential, then the state.
    public func saveEnrolment(credential: String, root: [UInt8], state: AgentState) throws {
        try LocalFile.makeDirectories(metadataDirectory, mode: 0o700)
        try LocalFile.writeAtomically(root, to: rootPath, mode: 0o644)
        try LocalFile.writeAtomically(Array((credential + "\n").utf8), to: credentialPath, mode: 0o600)
        try save(state)
    }
}

/// An agent failure, in words an operator can act on, with the kind code decides on (never the text).
public struct AgentError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Anything else: the message says what.
        case failed
        /// A download stopped part-way: the partial file stays and the next cycle resumes it.
        case resumable
        /// The manager answered, and refused this agent's credential (revoked or rotated).
        case credentialRefused
        /// The manager could not be reached at all.
        case unreachable
    }

    public var description: String
    public var kind: Kind
    public init(_ description: String, kind: Kind = .failed) {
        self.description = description
        self.kind = kind
    }
}

/// The cycle stopped because the daemon is stopping, leaving item `itemID`'s program running: the
/// journal still says "running", so the next start waits for the program and judges it.
public struct AgentStopping: Error, Sendable, CustomStringConvertible {
    public var itemID: Int64
    public var description: String { "stopping: item \(itemID)'s program keeps running; the next start judges it" }
}
