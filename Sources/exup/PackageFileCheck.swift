import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

/// What is wrong with a path given where a package file is expected, in words, before anything is sent.
enum PackageFileCheck {
    static func problem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT ? "no such file" : "cannot be read: " + String(cString: strerror(errno)).lowercased()
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { return "is a directory, not a package file (name the .zip files in it)" }
        if (info.st_mode & S_IFMT) != S_IFREG { return "is not a regular file" }
        if info.st_size == 0 { return "is empty: not a package" }
        guard access(path, R_OK) == 0 else { return "cannot be read: " + String(cString: strerror(errno)).lowercased() }
        return nil
    }
}
