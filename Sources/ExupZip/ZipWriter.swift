#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes a ZIP archive in one pass: each local header is written first and patched with the CRC and
/// sizes once the data is out. Members over 4 GiB and archives past 4 GiB use ZIP64.
/// The caller writes to a temporary path and renames it into place when `finish()` returned.
public final class ZipWriter {
    public let path: String
    private let fd: Int32
    private var offset: UInt64 = 0
    private var central: [UInt8] = []
    private var count: UInt64 = 0
    private var finished = false

    /// Creates `path` anew with `mode` from the first byte (whatever was there, a link included, is
    /// removed first, never followed): an archive that holds secrets is never readable by others.
    public init(path: String, mode: mode_t = 0o644) throws {
        self.path = path
        unlink(path)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ZipError.io(path: path, call: "open", errno: errno) }
        fchmod(fd, mode)
    }

    deinit { close(fd) }

    /// Adds a member from memory: deflated when `compress` and that makes it smaller.
    public func add(name: String, bytes: [UInt8], mode: UInt32 = 0o644, compress: Bool = true) throws {
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        var method: UInt16 = 0
        var payload = bytes
        if compress, bytes.count > 64, let deflated = Deflate.compress(bytes), deflated.count < bytes.count,
            bytes.count <= 1 << 20 || UInt64(bytes.count) <= UInt64(deflated.count) * 200
        {
            method = 8
            payload = deflated
        }
        let headerOffset = try writeLocalHeader(name: name, method: method, zip64: false)
        try payload.withUnsafeBytes { try write($0) }
        try finishMember(
            name: name, headerOffset: headerOffset, method: method, crc: crc.value,
            compressed: UInt64(payload.count), uncompressed: UInt64(bytes.count), mode: 0o100000 | mode, zip64Local: false)
    }

    /// Adds a member stored (not compressed) from a file, streamed in large chunks.
    public func addStored(name: String, fromFile source: String, mode: UInt32 = 0o644) throws {
        let input = try ReadOnlyFile(path: source)
        let zip64 = input.size >= 0xFFFF_FFFF
        let headerOffset = try writeLocalHeader(name: name, method: 0, zip64: zip64)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var crc = CRC32()
        var position: UInt64 = 0
        while true {
            let n = try input.read(into: buffer, at: position)
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            crc.update(chunk)
            try write(chunk)
            position += UInt64(n)
        }
        guard position == input.size else { throw ZipError.corruptData(member: name, reason: "\(source) changed size while being read") }
        try finishMember(
            name: name, headerOffset: headerOffset, method: 0, crc: crc.value,
            compressed: position, uncompressed: position, mode: 0o100000 | mode, zip64Local: zip64)
    }

    /// Adds a directory member (`name` ends with `/`).
    public func addDirectory(name: String) throws {
        let headerOffset = try writeLocalHeader(name: name, method: 0, zip64: false)
        try finishMember(
            name: name, headerOffset: headerOffset, method: 0, crc: 0, compressed: 0, uncompressed: 0,
            mode: 0o040755, zip64Local: false, directory: true)
    }

    /// Writes the central directory and end records, and syncs the file to disk.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        let directoryOffset = offset
        try central.withUnsafeBytes { try write($0) }
        let directorySize = UInt64(central.count)
        var end = ByteWriter()
        if count >= 0xFFFF || directoryOffset >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF {
            let recordOffset = offset
            end.u32(0x0606_4B50); end.u64(44); end.u16(0x031E); end.u16(45)
            end.u32(0); end.u32(0); end.u64(count); end.u64(count); end.u64(directorySize); end.u64(directoryOffset)
            end.u32(0x0706_4B50); end.u32(0); end.u64(recordOffset); end.u32(1)
        }
        end.u32(0x0605_4B50); end.u16(0); end.u16(0)
        end.u16(UInt16(min(count, 0xFFFF))); end.u16(UInt16(min(count, 0xFFFF)))
        end.u32(UInt32(min(directorySize, 0xFFFF_FFFF))); end.u32(UInt32(min(directoryOffset, 0xFFFF_FFFF)))
        end.u16(0)
        try end.bytes.withUnsafeBytes { try write($0) }
        guard fsync(fd) == 0 else { throw ZipError.io(path: path, call: "fsync", errno: errno) }
    }

    // MARK: - Records

    private func writeLocalHeader(name: String, method: UInt16, zip64: Bool) throws -> UInt64 {
        let headerOffset = offset
        var h = ByteWriter()
        h.u32(0x0403_4B50); h.u16(zip64 ? 45 : 20); h.u16(0x0800); h.u16(method)
        h.u16(0); h.u16(0x21)  // DOS time 00:00, date 1980-01-01: reproducible archives
        h.u32(0); h.u32(zip64 ? 0xFFFF_FFFF : 0); h.u32(zip64 ? 0xFFFF_FFFF : 0)
        let nameBytes = Array(name.utf8)
        h.u16(UInt16(nameBytes.count)); h.u16(zip64 ? 20 : 0)
        h.bytes += nameBytes
        if zip64 { h.u16(0x0001); h.u16(16); h.u64(0); h.u64(0) }
        try h.bytes.withUnsafeBytes { try write($0) }
        return headerOffset
    }

    private func finishMember(
        name: String, headerOffset: UInt64, method: UInt16, crc: UInt32, compressed: UInt64,
        uncompressed: UInt64, mode: UInt32, zip64Local: Bool, directory: Bool = false
    ) throws {
        // Patch CRC and sizes into the local header.
        var patch = ByteWriter()
        patch.u32(crc)
        if zip64Local {
            try pwriteAll(patch.bytes, at: headerOffset + 14)
            var sizes = ByteWriter()
            sizes.u64(uncompressed); sizes.u64(compressed)
            let nameLength = UInt64(name.utf8.count)
            try pwriteAll(sizes.bytes, at: headerOffset + 30 + nameLength + 4)
        } else {
            guard compressed < 0xFFFF_FFFF, uncompressed < 0xFFFF_FFFF else {
                throw ZipError.corruptData(member: name, reason: "grew past 4 GiB without ZIP64")
            }
            patch.u32(UInt32(compressed)); patch.u32(UInt32(uncompressed))
            try pwriteAll(patch.bytes, at: headerOffset + 14)
        }
        var zip64 = ByteWriter()
        if uncompressed >= 0xFFFF_FFFF { zip64.u64(uncompressed) }
        if compressed >= 0xFFFF_FFFF { zip64.u64(compressed) }
        if headerOffset >= 0xFFFF_FFFF { zip64.u64(headerOffset) }
        let nameBytes = Array(name.utf8)
        var c = ByteWriter()
        c.u32(0x0201_4B50); c.u16(0x031E); c.u16(zip64.bytes.isEmpty && !zip64Local ? 20 : 45); c.u16(0x0800); c.u16(method)
        c.u16(0); c.u16(0x21); c.u32(crc)
        c.u32(UInt32(min(compressed, 0xFFFF_FFFF))); c.u32(UInt32(min(uncompressed, 0xFFFF_FFFF)))
        c.u16(UInt16(nameBytes.count)); c.u16(zip64.bytes.isEmpty ? 0 : UInt16(4 + zip64.bytes.count)); c.u16(0)
        c.u16(0); c.u16(0); c.u32(mode << 16 | (directory ? 0x10 : 0)); c.u32(UInt32(min(headerOffset, 0xFFFF_FFFF)))
        c.bytes += nameBytes
        if !zip64.bytes.isEmpty { c.u16(0x0001); c.u16(UInt16(zip64.bytes.count)); c.bytes += zip64.bytes }
        central += c.bytes
        count += 1
    }

    private func write(_ buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ZipError.io(path: path, call: "write", errno: errno)
            }
            done += n
        }
        offset += UInt64(buffer.count)
    }

    private func pwriteAll(_ bytes: [UInt8], at position: UInt64) throws {
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(position)) }
        guard n == bytes.count else { throw ZipError.io(path: path, call: "pwrite", errno: errno) }
    }
}

/// Little-endian record assembly.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
}
