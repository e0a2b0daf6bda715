#if canImport(Glibc)
    import Glibc
#endif

/// Reading a file that holds a secret (a token, a password, a private key). A secret others can change is
/// no secret: a file writable by its group or by anyone is refused; one readable by anyone is read, with a
/// warning naming the file and the fix. Symbolic links are followed only to a file with the same checks.
public enum SecretFile {
    /// What was read, and a warning to log when the file is readable by anyone.
    public struct Contents: Sendable {
        public var bytes: [UInt8]
        public var warning: String?
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Why a secret file was refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The file's text (invalid UTF-8 replaced), nil when it does not exist; throws when it cannot be
    /// read, is not a regular file, or is group- or world-writable.
    public static func read(_ path: String, limit: Int = 64 << 10) throws(Refusal) -> Contents? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Refusal(description: "\(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw Refusal(description: "\(path) is not a regular file: a secret must be one")
        }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw Refusal(
                description: "\(path) holds a secret but others can change it (mode \(octal(info.st_mode))): refused; run chmod 600 \(path)")
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw Refusal(description: "\(path) cannot be read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            out += buffer[0..<n]
            if out.count > limit { throw Refusal(description: "\(path) is larger than \(limit) bytes: not a secret this file can hold") }
        }
        let warning =
            info.st_mode & S_IROTH != 0
            ? "\(path) holds a secret and anyone on this host can read it (mode \(octal(info.st_mode))); run chmod 600 \(path)" : nil
        return Contents(bytes: out, warning: warning)
    }

    /// Writes a new file that holds a secret: 0600 from the first byte, never over an existing file or
    /// through a link planted at its name.
    public static func create(_ path: String, _ bytes: [UInt8]) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw FileError(path: path, reason: "already exists; choose another name or remove it first") }
            throw FileError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw FileError(path: path, reason: String(cString: strerror(errno))) }
            written += n
        }
        guard fsync(fd) == 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
    }

    static func octal(_ mode: mode_t) -> String {
        let bits = Int(mode & 0o7777)
        return "0" + String(bits, radix: 8)
    }
}
