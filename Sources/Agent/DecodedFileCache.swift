import ExupSystem
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon reads its state files every poll; decoding JSON each time would be most of an idle poll's
/// CPU. This keeps the last value read or written per file, valid while the file's size, modification
/// time and inode are unchanged (any writer, another process included, changes them).
final class DecodedFileCache<Value: Codable & Equatable & Sendable>: Sendable {
    struct Stamp: Equatable { var size: Int; var seconds: Int; var nanoseconds: Int; var inode: UInt64 }
    let entries = Mutex([String: (Stamp, Value)]())

    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(size: Int(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec, inode: UInt64(info.st_ino))
    }

    /// The file's value: from the cache while the file is unchanged, else decoded (nil: no file).
    func load(_ path: String, limit: Int, decode: ([UInt8]) throws -> Value) throws -> Value? {
        guard let stamp = Self.stamp(path) else { return nil }
        if let (cached, value) = entries.withLock({ $0[path] }), cached == stamp { return value }
        guard let bytes = LocalFile.read(path, limit: limit) else { return nil }
        let value = try decode(bytes)
        entries.withLock { $0[path] = (stamp, value) }
        return value
    }

    /// Writes `value` unless it is what the file already holds (an idle poll writes nothing).
    func save(_ path: String, _ value: Value, mode: mode_t, encode: (Value) throws -> [UInt8]) throws {
        if let stamp = Self.stamp(path), let (cached, current) = entries.withLock({ $0[path] }), cached == stamp, current == value { return }
        try LocalFile.writeAtomically(try encode(value), to: path, mode: mode)
        if let stamp = Self.stamp(path) { entries.withLock { $0[path] = (stamp, value) } }
    }
}
