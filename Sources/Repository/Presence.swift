import ExupCore
import FoundationEssentials

/// What a manager that uses this repository says it needs (seed §2.2.8, R141–R144): the (model, OS) pairs
/// of its servers and their previous generations. Sent periodically; two months of silence retire it.
public struct Presence: Sendable, Codable, Hashable {
    public var manager: String
    /// The sender's exup version (the repository answers with its own, for R009's warning).
    public var version: String
    public var platforms: [Platform]
    public var previous: [PreviousGeneration]

    public init(manager: String, version: String, platforms: [Platform], previous: [PreviousGeneration]) {
        self.manager = manager
        self.version = version
        self.platforms = platforms
        self.previous = previous
    }
}

/// The repository's answer to a presence notification.
public struct PresenceAnswer: Sendable, Codable, Hashable {
    public var repositoryVersion: String
    /// When the sender is retired if it says nothing more (ISO 8601).
    public var retiredAfter: String

    public init(repositoryVersion: String, retiredAfter: String) {
        self.repositoryVersion = repositoryVersion
        self.retiredAfter = retiredAfter
    }
}
