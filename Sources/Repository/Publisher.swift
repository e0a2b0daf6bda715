import ExupCore
import ExupCrypto
import ExupFormats
import FoundationEssentials
import TUF

/// Publishes what the repository offers as TUF 1.0 metadata (architecture.md, "Trust, in two
/// independent layers"): root, timestamp, snapshot, top-level targets delegating to one role per model
/// (`models/<slug>`, paths `models/<slug>/*`), consistent snapshots. Role versions come from the clock and
/// never go down; expiries are renewed before they lapse.
public struct Publisher: Sendable {
    public struct Expiry: Sendable {
        public var root: Int64 = 365 * 86_400
        public var targets: Int64 = 30 * 86_400
        public var snapshot: Int64 = 14 * 86_400
        public var timestamp: Int64 = 86_400
        public init() {}
    }

    public let keys: RepositoryKeys
    public let catalog: Catalog
    public var expiry = Expiry()

    public init(keys: RepositoryKeys, catalog: Catalog) {
        self.keys = keys
        self.catalog = catalog
    }

    /// The trusted root agents pin at enrolment.
    public func currentRoot() throws -> (version: Int, bytes: [UInt8])? {
        try catalog.role(Root.type).map { ($0.version, $0.bytes) }
    }

    /// Creates root v1 and empty targets, snapshot and timestamp when the repository is new.
    public func initialiseIfNeeded(now: UTCTime) throws {
        guard try catalog.role(Root.type) == nil else { return }
        guard let rootKey = keys.root else { throw PublishError("the root key is needed to create the first root.json") }
        let root = Root.make(
            expires: now.adding(seconds: expiry.root),
            keys: [
                Root.type: [rootKey.publicKey], Targets.type: [keys.targets.publicKey],
                Snapshot.type: [keys.snapshot.publicKey], Timestamp.type: [keys.timestamp.publicKey],
            ])
        let bytes = try Envelope.signing(root.json, with: [rootKey]).bytes
        try catalog.storeMetadata(
            [.init(role: Root.type, version: 1, expires: root.common.expires.seconds, bytes: bytes, servedAs: "1.root.json")], rootRole: Root.type)
        try publish(packages: [], changedModels: nil, now: now)
    }

    /// Re-publishes after a change. `changedModels`: the models whose package lists changed (nil = all).
    /// Only those roles get new versions; snapshot and timestamp always do.
    public func publish(
        packages: [Catalog.StoredPackageRow], changedModels: Set<String>?, renewTopTargets: Bool = false,
        now: UTCTime
    ) throws {
        var byModel: [String: [Catalog.StoredPackageRow]] = [:]
        for package in packages {
            for model in Set(package.info.targets.map(\.model)) { byModel[model, default: []].append(package) }
        }
        let current = try catalog.roles()
        var writes: [(role: String, version: Int, expires: UTCTime, bytes: [UInt8], name: String)] = []
        var snapshotRoles: [String: Int] = [:]

        // Per-model roles. A role, once published, is never dropped: clients refuse a snapshot that no
        // longer lists a role they trust (specification 5.5.5). A model without packages keeps an empty role.
        let existingModelRoles = Set(current.keys.filter { $0.hasPrefix("models/") })
        var liveModelRoles = existingModelRoles
        var rolesWithPackages = Set<String>()
        for (model, modelPackages) in byModel {
            let role = ModelSlug.role(for: model)
            liveModelRoles.insert(role)
            rolesWithPackages.insert(role)
            if let changedModels, !changedModels.contains(model), let existing = current[role] {
                snapshotRoles[role] = existing.version
                continue
            }
            var targets: [String: TargetFile] = [:]
            for package in modelPackages {
                let path = ModelSlug.targetPath(model: model, packageID: package.info.id)
                targets[path] = TargetFile(
                    path: path, length: Int(package.size), hashes: ["sha256": package.sha256],
                    custom: try Publisher.custom(for: package))
            }
            writes.append(try signModelRole(role, targets: targets, previous: current[role]?.version ?? 0, now: now))
            snapshotRoles[role] = writes.last!.version
        }
        for role in existingModelRoles.subtracting(rolesWithPackages) {
            let existing = current[role]!
            let isEmpty = (try? Targets(json: Envelope(bytes: existing.bytes, role: role).signed, role: role))?.targets.isEmpty ?? false
            if isEmpty {
                snapshotRoles[role] = existing.version
            } else {
                writes.append(try signModelRole(role, targets: [:], previous: existing.version, now: now))
                snapshotRoles[role] = writes.last!.version
            }
        }

        // Top-level targets: delegations to the live model roles (a new version only when that set changed).
        let modelsKey = TUFKey(ed25519: keys.models.publicKey)
        if liveModelRoles != existingModelRoles || current[Targets.type] == nil || renewTopTargets {
            let version = MetadataVersion.next(after: current[Targets.type]?.version ?? 0, now: now)
            let delegated = liveModelRoles.sorted().map {
                DelegatedRole(name: $0, keys: RoleKeys(keyIDs: [modelsKey.keyID], threshold: 1), terminating: true, paths: ["\($0)/*"])
            }
            let top = Targets(
                version: version, expires: now.adding(seconds: expiry.targets),
                delegations: Delegations(keys: [modelsKey.keyID: modelsKey], roles: delegated))
            let bytes = try Envelope.signing(top.json, with: [keys.targets]).bytes
            writes.append((Targets.type, version, top.common.expires, bytes, "\(version).targets.json"))
            snapshotRoles[Targets.type] = version
        } else {
            snapshotRoles[Targets.type] = current[Targets.type]!.version
        }

        try writeSnapshotAndTimestamp(roles: snapshotRoles, modelWrites: writes, now: now)
    }

    private func signModelRole(
        _ role: String, targets: [String: TargetFile], previous: Int,
        now: UTCTime
    ) throws -> (role: String, version: Int, expires: UTCTime, bytes: [UInt8], name: String) {
        let version = MetadataVersion.next(after: previous, now: now)
        let metadata = Targets(version: version, expires: now.adding(seconds: expiry.targets), targets: targets)
        let bytes = try Envelope.signing(metadata.json, with: [keys.models]).bytes
        return (role, version, metadata.common.expires, bytes, "\(version).\(role).json")
    }

    /// New snapshot (naming every targets role's version) and timestamp, stored in one transaction
    /// together with the role files. The previous few versions of each file stay served for clients
    /// that fetched the old timestamp a moment ago.
    private func writeSnapshotAndTimestamp(
        roles: [String: Int],
        modelWrites: [(role: String, version: Int, expires: UTCTime, bytes: [UInt8], name: String)],
        now: UTCTime
    ) throws {
        let current = try catalog.roles()
        let snapshotVersion = MetadataVersion.next(after: current[Snapshot.type]?.version ?? 0, now: now)
        var snapshot = Snapshot(version: snapshotVersion, expires: now.adding(seconds: expiry.snapshot), meta: [:])
        for (role, version) in roles { snapshot.meta["\(role).json"] = MetaFile(version: version) }
        let snapshotBytes = try Envelope.signing(snapshot.json, with: [keys.snapshot]).bytes
        let timestampVersion = MetadataVersion.next(after: current[Timestamp.type]?.version ?? 0, now: now)
        let timestamp = Timestamp.describing(
            snapshot: snapshotBytes, snapshotVersion: snapshotVersion, version: timestampVersion,
            expires: now.adding(seconds: expiry.timestamp))
        let timestampBytes = try Envelope.signing(timestamp.json, with: [keys.timestamp]).bytes
        try catalog.storeMetadata(
            modelWrites.map { .init(role: $0.role, version: $0.version, expires: $0.expires.seconds, bytes: $0.bytes, servedAs: $0.name) } + [
                .init(
                    role: Snapshot.type, version: snapshotVersion, expires: snapshot.common.expires.seconds, bytes: snapshotBytes,
                    servedAs: "\(snapshotVersion).snapshot.json"),
                .init(
                    role: Timestamp.type, version: timestampVersion, expires: timestamp.common.expires.seconds, bytes: timestampBytes, servedAs: nil),
            ], rootRole: Root.type)
    }

    /// Renews what expires soon: timestamp within 12 hours, snapshot and targets within 3 days, root
    /// within 30 days (when the root key is online). Returns the roles renewed.
    public func renewExpiring(packages: [Catalog.StoredPackageRow], now: UTCTime) throws -> [String] {
        let roles = try catalog.roles()
        var renewed: [String] = []
        if let root = roles[Root.type], root.expires - now.seconds < 30 * 86_400, let rootKey = keys.root {
            let envelope = try Envelope(bytes: root.bytes, role: Root.type)
            let next = try Root(json: envelope.signed).next(expires: now.adding(seconds: expiry.root))
            let bytes = try Envelope.signing(next.json, with: [rootKey]).bytes
            try catalog.storeMetadata(
                [
                    .init(
                        role: Root.type, version: next.common.version, expires: next.common.expires.seconds, bytes: bytes,
                        servedAs: "\(next.common.version).root.json")
                ], rootRole: Root.type)
            renewed.append(Root.type)
        }
        let staleTargets = roles.filter { ($0.key == Targets.type || $0.key.hasPrefix("models/")) && $0.value.expires - now.seconds < 3 * 86_400 }
        if !staleTargets.isEmpty {
            let models = Set(packages.flatMap { $0.info.targets.map(\.model) }.filter { staleTargets[ModelSlug.role(for: $0)] != nil })
            try publish(packages: packages, changedModels: models, renewTopTargets: staleTargets[Targets.type] != nil, now: now)
            return renewed + staleTargets.keys.sorted()
        }
        let snapshotExpiring = (roles[Snapshot.type]?.expires ?? 0) - now.seconds < 3 * 86_400
        let timestampExpiring = (roles[Timestamp.type]?.expires ?? 0) - now.seconds < 12 * 3_600
        if snapshotExpiring || timestampExpiring {
            try publish(packages: packages, changedModels: [], now: now)
            renewed += [Snapshot.type, Timestamp.type]
        }
        return renewed
    }

    /// The `custom` field of a package target: its ExUpInfo metadata and when it was published.
    static func custom(for package: Catalog.StoredPackageRow) throws -> JSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let info = try JSON.parse(Array(try encoder.encode(package.info)))
        return .object([
            "exup": .object([
                "info": info,
                "published": .string(UTCTime(seconds: package.addedAt).description),
                "incompatible": .bool(package.info.isIncompatible),
            ])
        ])
    }
}

public struct PublishError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
