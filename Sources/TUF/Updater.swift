import ExupCrypto
import ExupFormats
import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The TUF client workflow with I/O: trusted metadata lives in `metadataDirectory` under non-versioned
/// names (`root.json`, `timestamp.json`, `snapshot.json`, `targets.json`, delegated roles URL-quoted),
/// replaced atomically and only after every check passed.
public struct Updater {
    public let metadataDirectory: String
    public let metadataURL: String
    public var config: UpdaterConfig
    let fetcher: any Fetcher
    public private(set) var trusted: TrustedSet

    /// Loads `root.json` from the metadata directory (put there by `init` or enrolment).
    public init(
        metadataDirectory: String, metadataURL: String, fetcher: any Fetcher, config: UpdaterConfig = UpdaterConfig(),
        referenceTime: UTCTime
    ) throws(TUFError) {
        self.metadataDirectory = metadataDirectory
        self.metadataURL = metadataURL.hasSuffix("/") ? metadataURL : metadataURL + "/"
        self.fetcher = fetcher
        self.config = config
        let path = metadataDirectory + "/root.json"
        guard let bytes = LocalFile.read(path, limit: config.rootMaxLength) else {
            throw .io(path: path, reason: "cannot read the trusted root")
        }
        trusted = try TrustedSet(rootBytes: bytes, referenceTime: referenceTime)
    }

    /// Refreshes root, timestamp, snapshot and top-level targets (5.3–5.6).
    public mutating func refresh() throws(TUFError) {
        try loadRoot()
        try loadTimestamp()
        try loadSnapshot()
        _ = try loadTargets(role: Targets.type, delegator: Root.type)
    }

    private mutating func loadRoot() throws(TUFError) {
        let start = trusted.root.common.version + 1
        for version in start..<(start + config.maxRootRotations) {
            let bytes: [UInt8]
            do { bytes = try fetcher.fetch(metadataURL + "\(version).root.json", maxLength: config.rootMaxLength) } catch {
                if case .notFound = error { return }
                throw error
            }
            _ = try trusted.updateRoot(bytes)
            try persist(Root.type, bytes)
        }
    }

    private mutating func loadTimestamp() throws(TUFError) {
        if let local = LocalFile.read(path(for: Timestamp.type), limit: config.timestampMaxLength) {
            _ = try? trusted.updateTimestamp(local)
        }
        let bytes = try fetcher.fetch(metadataURL + "timestamp.json", maxLength: config.timestampMaxLength)
        if try trusted.updateTimestamp(bytes) { try persist(Timestamp.type, bytes) }
    }

    private mutating func loadSnapshot() throws(TUFError) {
        if let local = LocalFile.read(path(for: Snapshot.type), limit: config.snapshotMaxLength),
            (try? trusted.updateSnapshot(local, trusted: true)) != nil
        {
            return
        }
        guard let meta = trusted.timestamp?.snapshotMeta else { throw .state("no trusted timestamp") }
        let name = trusted.root.consistentSnapshot ? "\(meta.version).snapshot.json" : "snapshot.json"
        let bytes = try fetcher.fetch(metadataURL + name, maxLength: meta.length ?? config.snapshotMaxLength)
        try trusted.updateSnapshot(bytes)
        try persist(Snapshot.type, bytes)
    }

    private mutating func loadTargets(role: String, delegator: String) throws(TUFError) -> Targets {
        if let loaded = try trusted.loadedTargets(role, delegator: delegator) { return loaded }
        if let local = LocalFile.read(path(for: role), limit: config.targetsMaxLength),
            let loaded = try? trusted.updateTargets(local, role: role, delegator: delegator)
        {
            return loaded
        }
        guard let meta = trusted.snapshot?.meta["\(role).json"] else { throw .missingMeta(role: role) }
        let quoted = URLQuoting.quote(role)
        let name = trusted.root.consistentSnapshot ? "\(meta.version).\(quoted).json" : "\(quoted).json"
        let bytes = try fetcher.fetch(metadataURL + name, maxLength: meta.length ?? config.targetsMaxLength)
        let loaded = try trusted.updateTargets(bytes, role: role, delegator: delegator)
        try persist(role, bytes)
        return loaded
    }

    /// The targets of a role the top-level targets role delegates to by name (the repository's
    /// `models/<slug>`), verified like any role; nil when no such role is delegated. A role vouches only
    /// for the paths delegated to it: targets it lists outside its `paths` (or hash prefixes) are dropped.
    public mutating func delegatedTargets(_ role: String) throws(TUFError) -> Targets? {
        if trusted.targets[Targets.type] == nil { try refresh() }
        guard let top = trusted.targets[Targets.type],
            let delegation = top.delegations?.roles?.first(where: { $0.name == role })
        else { return nil }
        var targets = try loadTargets(role: role, delegator: Targets.type)
        targets.targets = targets.targets.filter { delegation.isDelegated(path: $0.key) }
        return targets
    }

    /// 5.7: the target's info from the most trusted role that lists it, searching delegations
    /// pre-order depth-first, honouring terminating roles, each role visited once, at most
    /// `maxDelegations` roles.
    public mutating func targetInfo(_ path: String) throws(TUFError) -> TargetFile? {
        if trusted.targets[Targets.type] == nil { try refresh() }
        var stack: [(role: String, delegator: String)] = [(Targets.type, Root.type)]
        var visited = Set<String>()
        while visited.count <= config.maxDelegations, let (role, delegator) = stack.popLast() {
            if visited.contains(role) { continue }
            let targets = try loadTargets(role: role, delegator: delegator)
            if let found = targets.targets[path] { return found }
            visited.insert(role)
            guard let delegations = targets.delegations else { continue }
            var children: [(String, String)] = []
            for (child, terminating) in delegations.roles(for: path) {
                children.append((child, role))
                if terminating { stack.removeAll(); break }
            }
            stack.append(contentsOf: children.reversed())
        }
        return nil
    }

    /// Where a target is kept in `directory`: its path URL-quoted into one file name.
    public static func localPath(for target: TargetFile, in directory: String) -> String {
        directory + "/" + URLQuoting.quote(target.path)
    }

    /// The cached copy of `target` when it is present with the right length and hashes.
    public func cachedTarget(_ target: TargetFile, in directory: String) -> String? {
        let path = Updater.localPath(for: target, in: directory)
        guard let bytes = LocalFile.read(path, limit: target.length), (try? target.verify(bytes)) != nil else { return nil }
        return path
    }

    /// Downloads `target` (at most its length), checks every hash, and stores it atomically.
    @discardableResult
    public func download(_ target: TargetFile, baseURL: String, into directory: String) throws(TUFError) -> String {
        var base = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        var remote = target.path
        if trusted.root.consistentSnapshot && config.prefixTargetsWithHash, let hash = target.hashes.sorted(by: { $0.key < $1.key }).first?.value {
            if let slash = remote.lastIndex(of: "/") {
                remote = String(remote[...slash]) + hash + "." + String(remote[remote.index(after: slash)...])
            } else {
                remote = hash + "." + remote
            }
        }
        if base.isEmpty { base = "/" }
        let bytes = try fetcher.fetch(base + URLQuoting.quote(remote, keepingSlashes: true), maxLength: target.length)
        try target.verify(bytes)
        let path = Updater.localPath(for: target, in: directory)
        do { try LocalFile.writeAtomically(bytes, to: path) } catch { throw .io(path: error.path, reason: error.reason) }
        return path
    }

    func path(for role: String) -> String { metadataDirectory + "/" + URLQuoting.quote(role) + ".json" }

    private func persist(_ role: String, _ bytes: [UInt8]) throws(TUFError) {
        do { try LocalFile.writeAtomically(bytes, to: path(for: role)) } catch { throw .io(path: error.path, reason: error.reason) }
    }
}

/// Python's `urllib.parse.quote(s, safe="")`: everything but `A-Za-z0-9_.-~` percent-encoded (a `%`
/// too, so any name survives one decoding unchanged). `keepingSlashes` leaves `/` as is, for target paths.
public enum URLQuoting {
    public static func quote(_ text: String, keepingSlashes: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlashes:
                out.append("/")
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
