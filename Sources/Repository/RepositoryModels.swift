import ExupCore

/// Table 13's add modes.
public enum AddMode: String, Sendable, Codable, CaseIterable {
    /// Only packages a served server needs and generation management would keep; subject to retention.
    case needed
    /// Every valid package; pinned outside generation management until deleted by hand.
    case all
}

/// One file's outcome of an add (Table 14).
public struct AddResult: Sendable, Codable, Hashable {
    public enum Result: String, Sendable, Codable { case normal, warning, error }
    public enum Code: String, Sendable, Codable {
        case added
        case hashInvalid = "hash-invalid"
        case invalid
        case notNeeded = "not-needed"
        case alreadyExists = "already-exists"
    }

    public var file: String
    public var packageID: String?
    public var result: Result
    public var code: Code
    public var message: String
}

/// One package's outcome of a delete (Table 16).
public struct DeleteResult: Sendable, Codable, Hashable {
    public enum Result: String, Sendable, Codable { case normal, error }
    public enum Code: String, Sendable, Codable {
        case deleted
        case inUseByOtherManager = "in-use-by-another-manager"
        case notFound = "not-found"
        case remoteRepository = "remote-repository"
    }

    public var packageID: String
    public var result: Result
    public var code: Code
    public var message: String

    public init(packageID: String, result: Result, code: Code, message: String) {
        self.packageID = packageID
        self.result = result
        self.code = code
        self.message = message
    }
}

/// A package as the repository lists it, with Table 20's indicators.
public struct PackageListing: Sendable, Codable, Hashable {
    public struct Indicators: Sendable, Codable, Hashable {
        public var autoUpdate: Bool
        public var noDowngrade: Bool
        public var multiModel: Bool
        public var inUseByAnotherManager: Bool
        public var incompatible: Bool
        /// Added in "add all" mode: outside generation management.
        public var pinned: Bool
        /// Its signer's key is no longer in the trusted keys: not offered to any server.
        public var untrustedSigner: Bool = false
    }

    public var id: String
    public var name: String
    public var module: String
    public var moduleName: String
    public var version: String
    public var releaseDate: String
    public var targets: [PackageTarget]
    public var size: Int64
    public var sha256: String
    public var addedAt: String
    public var description: String
    public var indicators: Indicators
}

/// A (model, OS) pair the repository serves.
public struct ServedPlatform: Sendable, Codable, Hashable {
    public var model: String
    public var os: String
    /// "manual" (exup repo targets add) or "agent" (from reports, later).
    public var origin: String
}
