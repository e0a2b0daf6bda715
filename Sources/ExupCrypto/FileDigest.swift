#if canImport(Glibc)
    import Glibc
#endif

public struct FileDigestError: Error, CustomStringConvertible {
    public var description: String
}

/// Streams a file through SHA-256 in 1 MiB reads.
public enum FileDigest {
    public static func sha256(path: String) throws -> (length: UInt64, digest: Digest) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileDigestError(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        let hasher = SHA256Hasher()
        var total: UInt64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw FileDigestError(description: "\(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += UInt64(n)
        }
        return (total, hasher.finalize())
    }
}
