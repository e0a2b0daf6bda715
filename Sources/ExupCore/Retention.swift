/// A package held by the repository.
public struct StoredPackage: Sendable, Hashable {
    public var info: PackageInfo
    /// Added in "add all" mode (Table 13): outside generation management until deleted by hand.
    public var pinned: Bool

    public init(info: PackageInfo, pinned: Bool = false) {
        self.info = info
        self.pinned = pinned
    }
}

/// The version a server's module ran just before its last apply: its rollback package is kept (R108).
public struct PreviousGeneration: Sendable, Hashable, Codable {
    public var platform: Platform
    public var moduleID: String
    public var version: String

    public init(platform: Platform, moduleID: String, version: String) {
        self.platform = platform
        self.moduleID = moduleID
        self.version = version
    }
}

/// Why a package is kept; absent from the result = removed.
public enum KeepReason: String, Sendable, Hashable {
    case pinned, incompatible, withinGenerations = "within-generations", previousGeneration = "previous-generation"
}

/// Generation management (seed §2.2.2, R107–R113): per (model, OS) of the servers served and per module,
/// the newest 3 versions, plus each server module's previous generation; pinned packages exempt.
public enum Retention {
    public static let defaultGenerations = 3

    /// The ids to keep, each with the first reason found. Everything else may be deleted.
    public static func kept(
        _ packages: [StoredPackage], platforms: Set<Platform>,
        previous: [PreviousGeneration] = [],
        generations: Int = defaultGenerations
    ) -> [String: KeepReason] {
        var keep: [String: KeepReason] = [:]
        for stored in packages {
            if stored.pinned {
                keep[stored.info.id] = .pinned
            } else if stored.info.isIncompatible, platforms.contains(where: stored.info.applies(to:)) {
                keep[stored.info.id] = .incompatible
            }
        }
        let compatible = packages.map(\.info).filter { !$0.isIncompatible }
        for platform in platforms {
            let byModule = Dictionary(grouping: compatible.filter { $0.applies(to: platform) }, by: \.moduleID)
            for (module, candidates) in byModule {
                let scheme = VersionScheme.forModule(module, on: platform.os)
                for package in newestGenerations(candidates, scheme: scheme, count: generations)
                where keep[package.id] == nil {
                    keep[package.id] = .withinGenerations
                }
            }
        }
        for rollback in previous {
            let scheme = VersionScheme.forModule(rollback.moduleID, on: rollback.platform.os)
            for package in compatible
            where keep[package.id] == nil
                && package.moduleID == rollback.moduleID
                && package.applies(to: rollback.platform)
                && scheme.compare(package.version, rollback.version) == 0
            {
                keep[package.id] = .previousGeneration
            }
        }
        return keep
    }

    /// The packages whose version is among the `count` newest distinct versions.
    static func newestGenerations(_ packages: [PackageInfo], scheme: VersionScheme, count: Int) -> [PackageInfo] {
        let sorted = Selection.sortedNewestFirst(packages, scheme: scheme)
        var result: [PackageInfo] = []
        var distinct = 0
        var last: String?
        for package in sorted {
            if last.map({ scheme.compare($0, package.version) != 0 }) ?? true {
                distinct += 1
                last = package.version
            }
            guard distinct <= count else { break }
            result.append(package)
        }
        return result
    }

    /// Table 14, "needed only" mode: would this package be stored, and if not, why.
    public static func verdict(
        adding candidate: PackageInfo, to stored: [StoredPackage], platforms: Set<Platform>,
        previous: [PreviousGeneration] = [],
        generations: Int = defaultGenerations
    ) -> NeedVerdict {
        guard platforms.contains(where: candidate.applies(to:)) else { return .noApplicableServer }
        let after = kept(
            stored + [StoredPackage(info: candidate)], platforms: platforms,
            previous: previous, generations: generations)
        return after[candidate.id] == nil ? .tooOld : .needed
    }
}

public enum NeedVerdict: String, Sendable, Hashable {
    case needed
    /// Table 14: "No applicable device is registered…"
    case noApplicableServer = "no-applicable-server"
    /// Table 14: "…or the package is old" (generation management would delete it at once).
    case tooOld = "too-old"
}

/// The manual-deletion history (seed §2.2.4–§2.2.5, R120, R128–R130). Cleared only all at once.
public struct DeletionHistory: Sendable, Hashable {
    public private(set) var packageIDs: Set<String>

    public init(_ packageIDs: Set<String> = []) { self.packageIDs = packageIDs }

    public func contains(_ id: String) -> Bool { packageIDs.contains(id) }
    public mutating func record(_ id: String) { packageIDs.insert(id) }
    /// Erases every record; there is deliberately no way to erase one.
    public mutating func clearAll() { packageIDs.removeAll() }
}

/// Which packages an upstream offers that a sync downloads (seed §2.2.1 step 4, spec §8.2).
public enum FetchSelection {
    /// Those that are not stored yet, not in the deletion history, apply to a served platform, and
    /// fall inside the generation window computed over what is stored plus what is offered, so a
    /// package 3 or more generations older than the newest is never fetched (R130).
    public static func toFetch(
        offered: [PackageInfo], stored: [StoredPackage], deleted: DeletionHistory,
        platforms: Set<Platform>, previous: [PreviousGeneration] = [],
        generations: Int = Retention.defaultGenerations
    ) -> [PackageInfo] {
        let storedIDs = Set(stored.map(\.info.id))
        var seen = Set<String>()
        let candidates = offered.filter { p in
            !storedIDs.contains(p.id) && !deleted.contains(p.id) && seen.insert(p.id).inserted
                && platforms.contains(where: p.applies(to:))
        }
        let keep = Retention.kept(
            stored + candidates.map { StoredPackage(info: $0) }, platforms: platforms,
            previous: previous, generations: generations)
        return candidates.filter { keep[$0.id] != nil }
    }
}
