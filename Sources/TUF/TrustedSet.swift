import ExupFormats

/// The client's trusted metadata and every rule of the specification's "Detailed client workflow"
/// that needs no I/O. Metadata loads in order root → timestamp → snapshot → targets → delegated targets;
/// a check that fails leaves the set as it was. Expiry is judged against one fixed reference time,
/// the start of the update (5.0 of the workflow).
public struct TrustedSet: Sendable {
    public private(set) var root: Root
    public private(set) var timestamp: Timestamp?
    public private(set) var snapshot: Snapshot?
    public private(set) var targets: [String: Targets] = [:]
    /// Each loaded targets role's envelope and the delegators its signatures were checked against.
    private var targetEnvelopes: [String: (envelope: Envelope, verifiedBy: Set<String>)] = [:]
    public let referenceTime: UTCTime

    /// Loads the trusted root: it must be signed by its own threshold; its expiry is judged later.
    public init(rootBytes: [UInt8], referenceTime: UTCTime) throws(TUFError) {
        let envelope = try Envelope(bytes: rootBytes, role: Root.type)
        let root = try Root(json: envelope.signed)
        try envelope.verify(role: Root.type, keys: root.keys, roleKeys: root.roles[Root.type]!, version: root.common.version)
        self.root = root
        self.referenceTime = referenceTime
    }

    /// 5.3: a new root N+1, signed by the trusted root's threshold and by its own.
    public mutating func updateRoot(_ bytes: [UInt8]) throws(TUFError) -> Root {
        guard timestamp == nil else { throw .state("root cannot be updated after timestamp") }
        let envelope = try Envelope(bytes: bytes, role: Root.type)
        let newRoot = try Root(json: envelope.signed)
        try envelope.verify(role: Root.type, keys: root.keys, roleKeys: root.roles[Root.type]!, version: newRoot.common.version)
        guard newRoot.common.version == root.common.version + 1 else {
            throw .rootVersion(expected: root.common.version + 1, got: newRoot.common.version)
        }
        try envelope.verify(role: Root.type, keys: newRoot.keys, roleKeys: newRoot.roles[Root.type]!, version: newRoot.common.version)
        root = newRoot
        return newRoot
    }

    /// 5.4: timestamp. Returns false when it is the trusted version again (nothing new, nothing to store).
    /// An expired timestamp is kept as intermediate (for rollback checks) and then refused.
    @discardableResult
    public mutating func updateTimestamp(_ bytes: [UInt8]) throws(TUFError) -> Bool {
        guard snapshot == nil else { throw .state("timestamp cannot be updated after snapshot") }
        guard !root.common.isExpired(at: referenceTime) else { throw .expired(role: Root.type, expires: root.common.expires.description) }
        let envelope = try Envelope(bytes: bytes, role: Timestamp.type)
        let new = try Timestamp(json: envelope.signed)
        try verify(envelope, role: Timestamp.type, version: new.common.version)
        if let trusted = timestamp {
            if new.common.version < trusted.common.version {
                throw .rollback(role: Timestamp.type, new: new.common.version, trusted: trusted.common.version)
            }
            if new.common.version == trusted.common.version { return false }
            if new.snapshotMeta.version < trusted.snapshotMeta.version {
                throw .rollback(role: "snapshot (named by timestamp)", new: new.snapshotMeta.version, trusted: trusted.snapshotMeta.version)
            }
        }
        timestamp = new
        try checkFinalTimestamp()
        return true
    }

    func checkFinalTimestamp() throws(TUFError) {
        guard let timestamp else { throw .state("no trusted timestamp") }
        if timestamp.common.isExpired(at: referenceTime) {
            throw .expired(role: Timestamp.type, expires: timestamp.common.expires.description)
        }
    }

    /// 5.5: snapshot. `trusted`: these bytes were verified before (the local copy), so the hashes in the
    /// new timestamp need not match them; the version rules still apply.
    public mutating func updateSnapshot(_ bytes: [UInt8], trusted: Bool = false) throws(TUFError) {
        guard let timestamp else { throw .state("snapshot cannot be loaded before timestamp") }
        guard targets.isEmpty else { throw .state("snapshot cannot be updated after targets") }
        try checkFinalTimestamp()
        if !trusted { try timestamp.snapshotMeta.verify(bytes, name: "snapshot.json") }
        let envelope = try Envelope(bytes: bytes, role: Snapshot.type)
        let new = try Snapshot(json: envelope.signed)
        try verify(envelope, role: Snapshot.type, version: new.common.version)
        if let old = snapshot {
            for (name, info) in old.meta {
                guard let newInfo = new.meta[name] else {
                    throw .malformed(role: Snapshot.type, reason: "new snapshot drops \(name): refused")
                }
                if newInfo.version < info.version { throw .rollback(role: name, new: newInfo.version, trusted: info.version) }
            }
        }
        snapshot = new
        try checkFinalSnapshot()
    }

    func checkFinalSnapshot() throws(TUFError) {
        guard let snapshot, let timestamp else { throw .state("no trusted snapshot") }
        if snapshot.common.isExpired(at: referenceTime) {
            throw .expired(role: Snapshot.type, expires: snapshot.common.expires.description)
        }
        if snapshot.common.version != timestamp.snapshotMeta.version {
            throw .versionMismatch(role: Snapshot.type, expected: timestamp.snapshotMeta.version, got: snapshot.common.version)
        }
    }

    /// 5.6 and 5.7.4: top-level or delegated targets, checked against snapshot and its delegator.
    public mutating func updateTargets(_ bytes: [UInt8], role: String, delegator: String) throws(TUFError) -> Targets {
        guard let snapshot else { throw .state("targets cannot be loaded before snapshot") }
        try checkFinalSnapshot()
        guard let meta = snapshot.meta["\(role).json"] else { throw .missingMeta(role: role) }
        try meta.verify(bytes, name: "\(role).json")
        let envelope = try Envelope(bytes: bytes, role: role)
        let new = try Targets(json: envelope.signed, role: role)
        try verifyDelegated(envelope, role: role, version: new.common.version, delegator: delegator)
        guard new.common.version == meta.version else {
            throw .versionMismatch(role: role, expected: meta.version, got: new.common.version)
        }
        if new.common.isExpired(at: referenceTime) { throw .expired(role: role, expires: new.common.expires.description) }
        targets[role] = new
        targetEnvelopes[role] = (envelope, [delegator])
        return new
    }

    /// A role already loaded, reached again through `delegator`: its signatures must satisfy that
    /// delegator too, or a role trusted through one parent would be trusted through any other.
    public mutating func loadedTargets(_ role: String, delegator: String) throws(TUFError) -> Targets? {
        guard let loaded = targets[role], let entry = targetEnvelopes[role] else { return nil }
        if !entry.verifiedBy.contains(delegator) {
            try verifyDelegated(entry.envelope, role: role, version: loaded.common.version, delegator: delegator)
            targetEnvelopes[role]!.verifiedBy.insert(delegator)
        }
        return loaded
    }

    private func verifyDelegated(_ envelope: Envelope, role: String, version: Int, delegator: String) throws(TUFError) {
        let authority: (keys: [String: TUFKey], role: RoleKeys)?
        if delegator == Root.type {
            authority = root.delegation(for: Targets.type)
        } else {
            guard let parent = targets[delegator] else { throw .state("\(role) cannot be loaded before its delegator \(delegator)") }
            authority = parent.delegations?.delegation(for: role)
        }
        guard let authority else { throw .state("\(delegator) does not delegate to \(role)") }
        try envelope.verify(role: role, keys: authority.keys, roleKeys: authority.role, version: version)
    }

    private func verify(_ envelope: Envelope, role: String, version: Int) throws(TUFError) {
        try envelope.verify(role: role, keys: root.keys, roleKeys: root.roles[role]!, version: version)
    }
}
