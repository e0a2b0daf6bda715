#if canImport(Glibc)
    import Glibc
#endif

/// The few file-system calls the package tool needs, with errno turned into sentences.
enum FileSystem {
    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// The entry names of a directory (without `.` and `..`), sorted byte-wise.
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw BuildError("cannot read directory \(path): \(errnoText())") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// A whole small file, or nil when it cannot be read or is over `limit` bytes.
    static func readSmallFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { return out }
            out += buffer[0..<n]
            if out.count > limit { return nil }
        }
    }
}
