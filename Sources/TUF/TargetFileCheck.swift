import ExupCrypto
import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

extension TargetFile {
    /// Checks a file on disk against this target's length and every hash. SHA-256 is streamed; other
    /// algorithms (rare) hash the whole file in memory — at most `length` bytes, checked first.
    public func verifyFile(at path: String) throws(TUFError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard Int(info.st_size) == length else {
            throw .lengthOrHash(name: path, reason: "\(info.st_size) bytes where \(length) were expected")
        }
        var whole: [UInt8]?
        for (algorithm, expected) in hashes.sorted(by: { $0.key < $1.key }) {
            let actual: String
            if algorithm == "sha256" {
                do { actual = try FileDigest.sha256(path: path).digest.hex } catch { throw .io(path: path, reason: "\(error)") }
            } else {
                guard let kind = DigestAlgorithm(rawValue: algorithm) else {
                    throw .lengthOrHash(name: self.path, reason: "unsupported hash algorithm \(algorithm)")
                }
                if whole == nil { whole = LocalFile.read(path, limit: length) }
                guard let whole else { throw .io(path: path, reason: "cannot be read") }
                actual = kind.digest(whole).hex
            }
            guard actual == expected.lowercased() else { throw .lengthOrHash(name: self.path, reason: "\(algorithm) mismatch") }
        }
    }
}
