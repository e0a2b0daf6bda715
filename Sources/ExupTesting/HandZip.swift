internal import CZlib

/// A ZIP writer for attack fixtures, independent of exup's own `ZipWriter`: every field of every record
/// can be set by hand, including the ones a well-behaved writer would never produce.
public struct HandZip {
    public struct Entry {
        public var name: [UInt8]
        /// The member's real (uncompressed) content.
        public var data: [UInt8]
        /// 0 stored, 8 deflate, or anything else as raw data under that method number.
        public var method: UInt16 = 0
        public var flags: UInt16 = 0x0800
        /// Unix mode stored in the external attributes (madeBy = Unix); nil = MS-DOS attributes.
        public var unixMode: UInt32? = 0o100644
        public var msdosAttributes: UInt32 = 0
        /// Overrides of what the records declare.
        public var declaredUncompressedSize: UInt64?
        public var declaredCRC: UInt32?
        public var localName: [UInt8]?
        public var localMethod: UInt16?
        /// Write a data descriptor after the data (sets flag bit 3, zeroes the local CRC and sizes).
        public var dataDescriptor = false
        /// Force ZIP64 extra fields for this member.
        public var zip64 = false
        /// Point this member's central record at another member's local header (overlap attacks).
        public var reuseLocalHeaderOf: Int?
        /// This member's local record lies inside member `index`'s data at `offset` (no record of its own):
        /// the overlapping-members zip bomb. Build that data with `HandZip.localRecord(_:)`.
        public var embeddedIn: (index: Int, offset: Int)?

        public init(_ name: String, _ data: [UInt8], method: UInt16 = 0) {
            self.name = Array(name.utf8)
            self.data = data
            self.method = method
        }

        public init(rawName: [UInt8], _ data: [UInt8]) {
            self.name = rawName
            self.data = data
        }

        public static func directory(_ name: String) -> Entry {
            var entry = Entry(name, [])
            entry.unixMode = 0o040755
            return entry
        }
    }

    public var entries: [Entry]
    /// Write ZIP64 end records even when nothing needs them.
    public var zip64End = false
    /// Bytes placed before the first local header.
    public var prefix: [UInt8] = []

    public init(_ entries: [Entry]) { self.entries = entries }

    public func bytes() -> [UInt8] {
        var out = prefix
        var central: [UInt8] = []
        var localOffsets: [UInt64] = []
        for entry in entries {
            let crc = entry.declaredCRC ?? HandZip.crc32(entry.data)
            let payload = entry.method == 8 ? HandZip.deflateRaw(entry.data) : entry.data
            let uncompressed = entry.declaredUncompressedSize ?? UInt64(entry.data.count)
            let compressed = UInt64(payload.count)
            let localOffset = UInt64(out.count)
            localOffsets.append(localOffset)
            let flags = entry.flags | (entry.dataDescriptor ? 0x0008 : 0)
            var zip64Extra: [UInt8] = []
            if entry.zip64 { zip64Extra = le16(1) + le16(16) + le64(uncompressed) + le64(compressed) }
            let localName = entry.localName ?? entry.name
            if entry.reuseLocalHeaderOf == nil && entry.embeddedIn == nil {
                out += le32(0x0403_4B50) + le16(entry.zip64 ? 45 : 20) + le16(flags) + le16(entry.localMethod ?? entry.method)
                out += le16(0) + le16(0x21)
                if entry.dataDescriptor {
                    out += le32(0) + le32(0) + le32(0)
                } else {
                    out +=
                        le32(crc) + le32(entry.zip64 ? 0xFFFF_FFFF : UInt32(compressed))
                        + le32(entry.zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: uncompressed))
                }
                out += le16(UInt16(localName.count)) + le16(UInt16(zip64Extra.count)) + localName + zip64Extra
                out += payload
                if entry.dataDescriptor {
                    out += le32(0x0807_4B50) + le32(crc)
                    out +=
                        entry.zip64
                        ? le64(compressed) + le64(uncompressed) : le32(UInt32(compressed)) + le32(UInt32(truncatingIfNeeded: uncompressed))
                }
            }
            var headerOffset = entry.reuseLocalHeaderOf.map { localOffsets[$0] } ?? localOffset
            if let (outer, offset) = entry.embeddedIn {
                let host = entries[outer]
                headerOffset = localOffsets[outer] + 30 + UInt64((host.localName ?? host.name).count) + UInt64(offset)
            }
            var centralExtra: [UInt8] = []
            if entry.zip64 { centralExtra = le16(1) + le16(24) + le64(uncompressed) + le64(compressed) + le64(headerOffset) }
            let madeBy: UInt16 = entry.unixMode == nil ? 20 : 0x031E
            let external = entry.unixMode.map { $0 << 16 | ($0 & 0o170000 == 0o040000 ? 0x10 : 0) } ?? entry.msdosAttributes
            central += le32(0x0201_4B50) + le16(madeBy) + le16(entry.zip64 ? 45 : 20) + le16(flags) + le16(entry.method)
            central += le16(0) + le16(0x21) + le32(crc)
            central += le32(entry.zip64 ? 0xFFFF_FFFF : UInt32(compressed))
            central += le32(entry.zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: uncompressed))
            central += le16(UInt16(entry.name.count)) + le16(UInt16(centralExtra.count)) + le16(0) + le16(0) + le16(0)
            central += le32(external) + le32(entry.zip64 ? 0xFFFF_FFFF : UInt32(headerOffset))
            central += entry.name + centralExtra
        }
        let directoryOffset = UInt64(out.count)
        out += central
        let count = UInt64(entries.count)
        if zip64End {
            let recordOffset = UInt64(out.count)
            out += le32(0x0606_4B50) + le64(44) + le16(0x031E) + le16(45) + le32(0) + le32(0)
            out += le64(count) + le64(count) + le64(UInt64(central.count)) + le64(directoryOffset)
            out += le32(0x0706_4B50) + le32(0) + le64(recordOffset) + le32(1)
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(0xFFFF) + le16(0xFFFF) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + le16(0)
        } else {
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
            out += le32(UInt32(central.count)) + le32(UInt32(directoryOffset)) + le16(0)
        }
        return out
    }

    /// A plain stored local record (header + data) for `entry`, to embed inside another member.
    public static func localRecord(_ entry: Entry) -> [UInt8] {
        var out = le32(0x0403_4B50) + le16(20) + le16(entry.flags) + le16(0) + le16(0) + le16(0x21)
        out += le32(crc32(entry.data)) + le32(UInt32(entry.data.count)) + le32(UInt32(entry.data.count))
        out += le16(UInt16(entry.name.count)) + le16(0) + entry.name + entry.data
        return out
    }

    public static func crc32(_ data: [UInt8]) -> UInt32 {
        UInt32(data.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) })
    }

    public static func deflateRaw(_ data: [UInt8], level: Int32 = 9) -> [UInt8] {
        var z = z_stream()
        precondition(exup_deflate_init_raw(&z, level) == Z_OK)
        defer { deflateEnd(&z) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&z, uLong(data.count))) + 16)
        data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                z.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                z.avail_in = uInt(input.count)
                z.next_out = output.baseAddress
                z.avail_out = uInt(output.count)
                precondition(deflate(&z, Z_FINISH) == Z_STREAM_END)
            }
        }
        return Array(out.prefix(Int(z.total_out)))
    }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
