#if canImport(Glibc)
    import Glibc
#endif

/// Directory listing and removal without Foundation (the agent's cache, staging and outbox).
public enum LocalDirectory {
    /// The entry names (without `.` and `..`), sorted byte-wise.
    public static func list(_ path: String) throws(FileError) -> [String] {
        guard let dir = opendir(path) else { throw .errno(path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Removes `path` and everything under it, never following symbolic links; a missing path is fine.
    public static func removeTree(_ path: String) throws(FileError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .errno(path)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try list(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw .errno(path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw .errno(path)
        }
    }

    /// Free bytes for an unprivileged writer on the file system holding `path`.
    public static func freeBytes(at path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }
}
