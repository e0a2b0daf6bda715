#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An open file read with `pread`. Owns its descriptor.
public final class ReadOnlyFile {
    public let path: String
    public let size: UInt64
    let fd: Int32

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ZipError.io(path: path, call: "open", errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw ZipError.io(path: path, call: "fstat", errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ZipError.notAZip("\(path) is not a regular file")
        }
        self.fd = fd
        self.size = UInt64(info.st_size)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
    }

    deinit { close(fd) }

    /// Fills `buffer` from `offset`; short only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ZipError.io(path: path, call: "pread", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Exactly `count` bytes at `offset`, or a "truncated" error.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset <= size, UInt64(count) <= size - offset else {
            throw ZipError.notAZip("truncated: \(count) bytes at offset \(offset) run past the end of the file")
        }
        var out = [UInt8](repeating: 0, count: count)
        let n = try out.withUnsafeMutableBytes { (buffer) throws -> Int in
            try read(into: buffer, at: offset)
        }
        guard n == count else { throw ZipError.notAZip("truncated at offset \(offset)") }
        return out
    }
}

/// Little-endian field access over a byte array, with bounds that fail as "truncated".
struct LittleEndianReader {
    let bytes: [UInt8]
    var position: Int

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func u16() throws -> UInt16 {
        guard remaining >= 2 else { throw ZipError.notAZip("truncated record") }
        defer { position += 2 }
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    mutating func u32() throws -> UInt32 {
        guard remaining >= 4 else { throw ZipError.notAZip("truncated record") }
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(bytes[position + k]) << (8 * UInt32(k)) }
        position += 4
        return v
    }

    mutating func u64() throws -> UInt64 {
        guard remaining >= 8 else { throw ZipError.notAZip("truncated record") }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += 8
        return v
    }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, remaining >= count else { throw ZipError.notAZip("truncated record") }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }
}

extension ReadOnlyFile {
    /// Streams the whole file in 1 MiB chunks.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var position: UInt64 = 0
        while true {
            let n = try read(into: buffer, at: position)
            if n == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            position += UInt64(n)
        }
    }
}
