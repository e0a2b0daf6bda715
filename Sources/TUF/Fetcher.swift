/// How the updater fetches bytes. The project's libcurl client implements it; tests can too.
public protocol Fetcher {
    /// The body of `url`, refused past `maxLength` bytes. Throws `TUFError.notFound` for 403/404,
    /// `TUFError.tooLarge` past the cap, `TUFError.download` for everything else.
    func fetch(_ url: String, maxLength: Int) throws(TUFError) -> [UInt8]
}

/// The client's limits (python-tuf's defaults): the most bytes read per file, root rotations per
/// refresh, and delegated roles visited per target search.
public struct UpdaterConfig: Sendable {
    public var rootMaxLength = 512_000
    public var timestampMaxLength = 16_384
    public var snapshotMaxLength = 2_000_000
    public var targetsMaxLength = 5_000_000
    public var maxRootRotations = 256
    public var maxDelegations = 32
    /// With consistent snapshots, fetch targets as `DIR/HASH.NAME`.
    public var prefixTargetsWithHash = true

    public init() {}
}
