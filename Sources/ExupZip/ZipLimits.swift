/// The configurable limits of package-format.md, "The archive".
public struct ZipLimits: Sendable, Hashable {
    public var maxMembers: Int = 10_000
    public var maxTotalUncompressed: UInt64 = 4 << 30
    /// Members larger than this (uncompressed) must not exceed `maxRatio`.
    public var ratioCheckAbove: UInt64 = 1 << 20
    public var maxRatio: UInt64 = 200
    public var maxNameBytes: Int = 255

    public init() {}

    public init(maxMembers: Int, maxTotalUncompressed: UInt64) {
        self.maxMembers = maxMembers
        self.maxTotalUncompressed = maxTotalUncompressed
    }
}

/// One member as the central directory describes it, after every rule was checked.
public struct ZipMember: Sendable, Hashable {
    public enum Method: UInt16, Sendable { case stored = 0, deflated = 8 }

    public var name: String
    public var method: Method
    public var crc32: UInt32
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
    public var isDirectory: Bool
    /// Unix permission bits when the archive records them (0 otherwise).
    public var unixMode: UInt32
    /// Offset of the member's data (just after its local header).
    public var dataOffset: UInt64
}
