internal import CZlib

/// A ZIP archive opened for strict reading (package-format.md, "The archive"). Opening checks every
/// archive rule from the central directory (which is authoritative) and the local headers, before any
/// member's content is read; reading a member streams it in large chunks with its exact size enforced.
public final class ZipArchive {
    public let file: ReadOnlyFile
    public let members: [ZipMember]
    private let byName: [String: Int]

    public init(path: String, limits: ZipLimits = ZipLimits()) throws {
        file = try ReadOnlyFile(path: path)
        members = try ZipArchive.readCentralDirectory(file, limits: limits)
        var index: [String: Int] = [:]
        for (i, m) in members.enumerated() { index[m.name] = i }
        byName = index
    }

    public func member(named name: String) -> ZipMember? { byName[name].map { members[$0] } }

    // MARK: - Reading contents

    /// Size of the chunks handed to `body`: large reads keep hashing near memory bandwidth.
    public static let chunkSize = 1 << 20

    /// Streams a member's uncompressed bytes to `body` in chunks, enforcing its exact declared size.
    /// Stored members go straight from the file to `body` with no intermediate copy.
    public func stream(_ member: ZipMember, into body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ZipArchive.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        switch member.method {
        case .stored:
            var offset = member.dataOffset
            var left = member.uncompressedSize
            while left > 0 {
                let want = Int(min(UInt64(buffer.count), left))
                let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want])
                let n = try file.read(into: chunk, at: offset)
                guard n == want else { throw ZipError.outOfBounds(member: member.name) }
                try body(UnsafeRawBufferPointer(chunk))
                offset += UInt64(n)
                left -= UInt64(n)
            }
        case .deflated:
            try Inflater.stream(member, from: file, output: buffer, into: body)
        }
    }

    /// A member's whole content, for small members (metadata); refuses anything over `limit` bytes.
    public func contents(of member: ZipMember, limit: Int) throws -> [UInt8] {
        guard member.uncompressedSize <= UInt64(limit) else {
            throw ZipError.corruptData(member: member.name, reason: "\(member.uncompressedSize) bytes, over the \(limit)-byte limit")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(member.uncompressedSize))
        try stream(member) { out.append(contentsOf: $0) }
        return out
    }

    // MARK: - Central directory

    private struct EndRecord {
        var entries: UInt64
        var directorySize: UInt64
        var directoryOffset: UInt64
        /// Where the central directory must end: the ZIP64 end record, or the classic one.
        var directoryEnd: UInt64
    }

    private static func readCentralDirectory(_ file: ReadOnlyFile, limits: ZipLimits) throws -> [ZipMember] {
        let end = try findEndRecord(file)
        guard end.entries <= UInt64(limits.maxMembers) else {
            throw ZipError.tooManyMembers(count: Int(clamping: end.entries), limit: limits.maxMembers)
        }
        guard end.directoryOffset <= end.directoryEnd, end.directorySize == end.directoryEnd - end.directoryOffset else {
            throw ZipError.notAZip("the central directory's size and offset do not meet the end record")
        }
        guard end.directorySize <= 64 << 20 else { throw ZipError.notAZip("central directory over 64 MiB") }
        let directory = try file.bytes(at: end.directoryOffset, count: Int(end.directorySize))
        var reader = LittleEndianReader(directory)
        var members: [ZipMember] = []
        var spans: [(start: UInt64, end: UInt64, name: String)] = []
        var seen = Set<[UInt8]>()
        var total: UInt64 = 0
        for _ in 0..<end.entries {
            let entry = try CentralEntry.read(&reader)
            let display = ZipNameRules.display(entry.name)
            if entry.flags & 0x0001 != 0 || entry.flags & 0x0040 != 0 { throw ZipError.encrypted(member: display) }
            guard let method = ZipMember.Method(rawValue: entry.method) else {
                throw ZipError.unsupportedMethod(member: display, method: entry.method)
            }
            let isDirectory = entry.name.last == UInt8(ascii: "/")
            if let reason = ZipNameRules.problem(with: entry.name, isDirectory: isDirectory, maxBytes: limits.maxNameBytes) {
                throw ZipError.badName(member: display, reason: reason)
            }
            let name = display
            if let kind = entry.nonRegularKind(isDirectory: isDirectory) { throw ZipError.notRegularFile(member: name, kind: kind) }
            if isDirectory, entry.uncompressedSize != 0 || entry.compressedSize > 2 {
                throw ZipError.directoryWithContent(member: name)
            }
            guard seen.insert(entry.name).inserted else { throw ZipError.duplicateName(member: name) }
            total += entry.uncompressedSize
            guard total <= limits.maxTotalUncompressed else { throw ZipError.tooLarge(total: total, limit: limits.maxTotalUncompressed) }
            if entry.uncompressedSize > limits.ratioCheckAbove {
                let ratio = entry.compressedSize == 0 ? UInt64.max : entry.uncompressedSize / entry.compressedSize
                let exceeds = entry.compressedSize == 0 || entry.uncompressedSize > entry.compressedSize * limits.maxRatio
                if exceeds { throw ZipError.ratioTooHigh(member: name, ratio: ratio, limit: limits.maxRatio) }
            }
            if method == .stored, entry.compressedSize != entry.uncompressedSize {
                throw ZipError.corruptData(member: name, reason: "stored member whose compressed and uncompressed sizes differ")
            }
            let dataOffset = try checkLocalHeader(file, entry: entry, name: name)
            let dataEnd = dataOffset + entry.compressedSize
            guard dataEnd >= dataOffset, dataEnd <= end.directoryOffset else { throw ZipError.outOfBounds(member: name) }
            spans.append((entry.localHeaderOffset, dataEnd, name))
            members.append(
                ZipMember(
                    name: name, method: method, crc32: entry.crc32, compressedSize: entry.compressedSize,
                    uncompressedSize: entry.uncompressedSize, isDirectory: isDirectory,
                    unixMode: entry.unixMode, dataOffset: dataOffset))
        }
        guard reader.remaining == 0 else { throw ZipError.notAZip("the central directory holds more records than the end record counts") }
        spans.sort { $0.start < $1.start }
        for (a, b) in zip(spans, spans.dropFirst()) where a.end > b.start {
            throw ZipError.overlap(member: b.name, other: a.name)
        }
        return members
    }

    private static func findEndRecord(_ file: ReadOnlyFile) throws -> EndRecord {
        guard file.size >= 22 else { throw ZipError.notAZip("the file is too short to be a ZIP archive") }
        let tailLength = Int(min(file.size, 22 + 65_535))
        let tailStart = file.size - UInt64(tailLength)
        let tail = try file.bytes(at: tailStart, count: tailLength)
        var position = tail.count - 22
        var found: Int?
        while position >= 0 {
            if tail[position] == 0x50, tail[position + 1] == 0x4B, tail[position + 2] == 0x05, tail[position + 3] == 0x06 {
                let commentLength = Int(tail[position + 20]) | Int(tail[position + 21]) << 8
                if position + 22 + commentLength == tail.count { found = position; break }
            }
            position -= 1
        }
        guard let found else { throw ZipError.notAZip("no end of central directory record") }
        var r = LittleEndianReader(tail, at: found + 4)
        let disk = try r.u16(), directoryDisk = try r.u16()
        let entriesHere = try r.u16(), entries = try r.u16()
        let size = try r.u32(), offset = try r.u32()
        let endOffset = tailStart + UInt64(found)
        let needsZip64 = entries == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF
        if found >= 20, needsZip64 || (tail[found - 20] == 0x50 && tail[found - 19] == 0x4B && tail[found - 18] == 0x06 && tail[found - 17] == 0x07) {
            return try readZip64End(file, locatorAt: endOffset - 20)
        }
        guard !needsZip64 else { throw ZipError.notAZip("ZIP64 values without a ZIP64 end record locator") }
        guard disk == 0, directoryDisk == 0, entriesHere == entries else { throw ZipError.notAZip("multi-disk archives are not supported") }
        return EndRecord(entries: UInt64(entries), directorySize: UInt64(size), directoryOffset: UInt64(offset), directoryEnd: endOffset)
    }

    private static func readZip64End(_ file: ReadOnlyFile, locatorAt locatorOffset: UInt64) throws -> EndRecord {
        var locator = LittleEndianReader(try file.bytes(at: locatorOffset, count: 20))
        guard try locator.u32() == 0x0706_4B50 else { throw ZipError.notAZip("bad ZIP64 end record locator") }
        let disk = try locator.u32()
        let recordOffset = try locator.u64()
        let disks = try locator.u32()
        guard disk == 0, disks <= 1 else { throw ZipError.notAZip("multi-disk archives are not supported") }
        guard recordOffset <= locatorOffset, locatorOffset - recordOffset >= 56 else { throw ZipError.notAZip("bad ZIP64 end record offset") }
        var r = LittleEndianReader(try file.bytes(at: recordOffset, count: 56))
        guard try r.u32() == 0x0606_4B50 else { throw ZipError.notAZip("bad ZIP64 end record signature") }
        let recordSize = try r.u64()
        guard recordSize >= 44, recordOffset + 12 + recordSize == locatorOffset else {
            throw ZipError.notAZip("the ZIP64 end record does not meet its locator")
        }
        _ = try r.u16(); _ = try r.u16()
        let thisDisk = try r.u32(), directoryDisk = try r.u32()
        let entriesHere = try r.u64(), entries = try r.u64()
        let size = try r.u64(), offset = try r.u64()
        guard thisDisk == 0, directoryDisk == 0, entriesHere == entries else { throw ZipError.notAZip("multi-disk archives are not supported") }
        return EndRecord(entries: entries, directorySize: size, directoryOffset: offset, directoryEnd: recordOffset)
    }

    /// Checks the local header against the central record; returns where the member's data starts.
    private static func checkLocalHeader(_ file: ReadOnlyFile, entry: CentralEntry, name: String) throws -> UInt64 {
        guard entry.localHeaderOffset <= file.size, file.size - entry.localHeaderOffset >= 30 else { throw ZipError.outOfBounds(member: name) }
        var r = LittleEndianReader(try file.bytes(at: entry.localHeaderOffset, count: 30))
        guard try r.u32() == 0x0403_4B50 else { throw ZipError.localHeaderMismatch(member: name, field: "signature") }
        _ = try r.u16()
        let flags = try r.u16(), method = try r.u16()
        _ = try r.u16(); _ = try r.u16()
        let crc = try r.u32(), compressed = try r.u32(), uncompressed = try r.u32()
        let nameLength = Int(try r.u16()), extraLength = Int(try r.u16())
        if flags & 0x0001 != 0 { throw ZipError.encrypted(member: name) }
        guard flags & 0x0008 == entry.flags & 0x0008 else { throw ZipError.localHeaderMismatch(member: name, field: "flags") }
        guard method == entry.method else { throw ZipError.localHeaderMismatch(member: name, field: "compression method") }
        let variable = try file.bytes(at: entry.localHeaderOffset + 30, count: nameLength + extraLength)
        guard variable.prefix(nameLength).elementsEqual(entry.name) else { throw ZipError.localHeaderMismatch(member: name, field: "name") }
        if flags & 0x0008 == 0 {
            var localCompressed = UInt64(compressed), localUncompressed = UInt64(uncompressed)
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF {
                guard let zip64 = ExtraFields.zip64(in: Array(variable.dropFirst(nameLength))) else {
                    throw ZipError.localHeaderMismatch(member: name, field: "ZIP64 sizes")
                }
                var z = LittleEndianReader(zip64)
                if uncompressed == 0xFFFF_FFFF { localUncompressed = try z.u64() }
                if compressed == 0xFFFF_FFFF { localCompressed = try z.u64() }
            }
            guard crc == entry.crc32 else { throw ZipError.localHeaderMismatch(member: name, field: "CRC-32") }
            guard localCompressed == entry.compressedSize, localUncompressed == entry.uncompressedSize else {
                throw ZipError.localHeaderMismatch(member: name, field: "sizes")
            }
        } else {
            guard crc == 0 || crc == entry.crc32 else { throw ZipError.localHeaderMismatch(member: name, field: "CRC-32") }
        }
        return entry.localHeaderOffset + 30 + UInt64(nameLength + extraLength)
    }
}

/// One central directory file header, with its ZIP64 values resolved.
struct CentralEntry {
    var madeBy: UInt16
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
    var externalAttributes: UInt32
    var name: [UInt8]

    static func read(_ r: inout LittleEndianReader) throws -> CentralEntry {
        guard try r.u32() == 0x0201_4B50 else { throw ZipError.notAZip("bad central directory record signature") }
        let madeBy = try r.u16()
        _ = try r.u16()
        let flags = try r.u16(), method = try r.u16()
        _ = try r.u16(); _ = try r.u16()
        let crc = try r.u32(), compressed = try r.u32(), uncompressed = try r.u32()
        let nameLength = Int(try r.u16()), extraLength = Int(try r.u16()), commentLength = Int(try r.u16())
        let disk = try r.u16()
        _ = try r.u16()
        let external = try r.u32(), offset = try r.u32()
        let name = try r.take(nameLength)
        let extra = try r.take(extraLength)
        _ = try r.take(commentLength)
        var entry = CentralEntry(
            madeBy: madeBy, flags: flags, method: method, crc32: crc, compressedSize: UInt64(compressed),
            uncompressedSize: UInt64(uncompressed), localHeaderOffset: UInt64(offset),
            externalAttributes: external, name: name)
        if uncompressed == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF || disk == 0xFFFF {
            guard let zip64 = ExtraFields.zip64(in: extra) else {
                throw ZipError.notAZip("member \(ZipNameRules.display(name)): ZIP64 values without a ZIP64 extra field")
            }
            var z = LittleEndianReader(zip64)
            if uncompressed == 0xFFFF_FFFF { entry.uncompressedSize = try z.u64() }
            if compressed == 0xFFFF_FFFF { entry.compressedSize = try z.u64() }
            if offset == 0xFFFF_FFFF { entry.localHeaderOffset = try z.u64() }
        } else if disk != 0 {
            throw ZipError.notAZip("multi-disk archives are not supported")
        }
        return entry
    }

    /// Unix permission bits, when the creator recorded Unix attributes.
    var unixMode: UInt32 { madeBy >> 8 == 3 ? externalAttributes >> 16 : 0 }

    /// A name for the kind when this is not a regular file or a directory.
    func nonRegularKind(isDirectory: Bool) -> String? {
        if madeBy >> 8 == 3 {
            switch unixMode & 0o170000 {
            case 0: return nil
            case 0o100000: return isDirectory ? "regular file named as a directory" : nil
            case 0o040000: return isDirectory ? nil : "directory (without a trailing /)"
            case 0o120000: return "symbolic link"
            case 0o020000: return "character device"
            case 0o060000: return "block device"
            case 0o010000: return "FIFO"
            case 0o140000: return "socket"
            default: return "non-regular"
            }
        }
        if externalAttributes & 0x10 != 0, !isDirectory { return "directory (without a trailing /)" }
        return nil
    }
}

enum ExtraFields {
    /// The body of the ZIP64 extended information field (id 0x0001), if present.
    static func zip64(in extra: [UInt8]) -> [UInt8]? {
        var r = LittleEndianReader(extra)
        while r.remaining >= 4 {
            guard let id = try? r.u16(), let length = try? r.u16(), let body = try? r.take(Int(length)) else { return nil }
            if id == 0x0001 { return body }
        }
        return nil
    }
}
