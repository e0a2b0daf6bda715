import ExupCrypto
#if canImport(Glibc)
import Glibc
#endif

extension TargetFile {
    /// Checks a file on disk against this target's length and every hash, reading it once in 1 MiB
    /// chunks (SHA-256 streamed; other algorithms, rare, hash the whole file in memory — it is at most
    /// `length` bytes, which the length check bounds first).
    public func verifyFile(at path: String) throws(TUFError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard Int(info.st_size) == length else {
            throw .lengthOrHash(name: path, reason: "\(info.st_size) bytes where \(length) were expected")
        }
        let sha256 = SHA256Hasher()
        var whole: [UInt8]? = hashes.keys.contains { $0 != "sha256" } ? [] : nil
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw .io(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            buffer.withUnsafeBytes { sha256.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            whole?.append(contentsOf: buffer[0..<n])
        }
        let streamed = sha256.finalize().hex
        for (algorithm, expected) in hashes.sorted(by: { $0.key < $1.key }) {
            let actual: String
            if algorithm == "sha256" { actual = streamed } else {
                guard let kind = DigestAlgorithm(rawValue: algorithm), let whole else {
                    throw .lengthOrHash(name: self.path, reason: "unsupported hash algorithm \(algorithm)")
                }
                actual = kind.digest(whole).hex
            }
            guard actual == expected.lowercased() else { throw .lengthOrHash(name: self.path, reason: "\(algorithm) mismatch") }
        }
    }
}
