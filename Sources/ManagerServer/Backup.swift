import ExupCrypto
import ExupSystem
import ExupZip
import Manager
import ManagerAPI
import ManagerHTTP
import ManagerPostgres
import ManagerSQLite
import ManagerWeb
import Repository

#if canImport(Glibc)
    import Glibc
#endif

/// `exup-manager backup` and `restore` (seed §4.3–§4.4, R199–R200): one archive with both databases
/// (SQLite online backups, consistent while the server runs), the secrets and TUF keys, the trusted
/// vendor keys, the pinned upstream/remote roots, and the packages the catalog copy refers to. Packages
/// are immutable and content-addressed, so copying them after the catalog snapshot is consistent. When
/// the manager's data is in PostgreSQL (`database`), its `pg_dump` takes the place of manager.sqlite.
public enum ManagerBackup {
    /// Files and directories copied as they are (relative to the data directory).
    static let plainEntries = ["admin.password", "repository-settings.json", "trusted-keys", "upstream/metadata", "remote/metadata"]
    /// The shared secrets (the data directory, or `[storage] keys-dir`), kept in the archive under these names.
    static let secretEntries = ["admin.token", "repository.password", "agent-credentials.key"]
    static let marker = "EXUP-BACKUP"

    public struct Summary: Sendable, Codable {
        public var files: Int
        public var packages: Int
        public var bytes: UInt64
    }

    /// `progress` hears each step ("packages 3/120") as the backup goes.
    /// `paths` says where the pool, keys and shared secrets are (`[storage]`); the archive keeps them under the
    /// data directory's own names, so a restore gives one self-contained data directory.
    public static func backup(
        dataDirectory: String, paths: RepositoryPaths? = nil, database: PostgresSettings? = nil, to out: String,
        progress: (String) -> Void = { _ in }
    ) throws -> Summary {
        let paths = paths ?? RepositoryPaths(dataDirectory: dataDirectory)
        if database == nil, let target = DatabaseMigration.movedTo(dataDirectory) {
            throw BackupError("the manager's data is in \(target), not in \(dataDirectory)/manager.sqlite: give --config with its [database] url")
        }
        guard LocalFile.exists(dataDirectory + "/catalog.sqlite") else {
            throw BackupError("\(dataDirectory) holds no exup manager data (no catalog.sqlite)")
        }
        let scratch = out + ".parts"
        try? LocalDirectory.removeTree(scratch)
        try LocalFile.makeDirectories(scratch, mode: 0o700)
        defer { try? LocalDirectory.removeTree(scratch) }
        let catalog = try Catalog(path: dataDirectory + "/catalog.sqlite")
        try catalog.backup(to: scratch + "/catalog.sqlite")
        if let database {
            try PostgresDump.dump(database, to: scratch + "/" + PostgresDump.member)
        } else if LocalFile.exists(dataDirectory + "/manager.sqlite") {
            try SQLiteManagerStore(path: dataDirectory + "/manager.sqlite").copy(to: scratch + "/manager.sqlite")
        }
        progress("databases copied")
        let snapshot = try Catalog(path: scratch + "/catalog.sqlite")
        let digests = try snapshot.packageDigests()

        let partial = out + ".tmp"
        // Keys and tokens inside: 0600 from the first byte.
        let writer = try ZipWriter(path: partial, mode: 0o600)
        var summary = Summary(files: 0, packages: 0, bytes: 0)
        // The manifest (last member) lists every file's SHA-256: restore checks each one, so damage anywhere
        // in the archive is found before the restored manager starts.
        var manifest = "exup manager backup 1\n"
        func add(_ name: String, from path: String) throws {
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
            let (length, digest) = try FileDigest.sha256(path: path)
            try writer.addStored(name: name, fromFile: path, mode: UInt32(info.st_mode & 0o777))
            manifest += "\(digest.hex) \(length) \(name)\n"
            summary.files += 1
            summary.bytes += length
        }
        try add("catalog.sqlite", from: scratch + "/catalog.sqlite")
        try add("manager.sqlite", from: scratch + "/manager.sqlite")
        try add(PostgresDump.member, from: scratch + "/" + PostgresDump.member)
        for entry in plainEntries { try addTree(entry, under: dataDirectory, add) }
        for entry in secretEntries { try addTree(entry, under: paths.secrets, add) }
        for name in (try? LocalDirectory.list(paths.keys)) ?? [] where !name.hasPrefix(".") && !secretEntries.contains(name) {
            try addTree(name, under: paths.keys) { relative, path in try add("keys/" + relative, from: path) }
        }
        for digest in digests {
            let file = paths.poolFile(sha256: digest)
            guard LocalFile.exists(file) else {
                throw BackupError("the catalog lists package file \(file), which is missing: not a consistent backup")
            }
            try add("pool/\(digest.prefix(2))/\(digest).zip", from: file)
            summary.packages += 1
            progress("packages \(summary.packages)/\(digests.count), \(summary.bytes >> 20) MiB")
        }
        try writer.add(name: marker, bytes: Array(manifest.utf8))
        try writer.finish()
        guard rename(partial, out) == 0 else { throw BackupError("cannot write \(out): \(String(cString: strerror(errno)))") }
        return summary
    }

    static func addTree(_ relative: String, under root: String, _ add: (String, String) throws -> Void) throws {
        let path = root + "/" + relative
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try LocalDirectory.list(path) where !name.contains(".tmp-") { try addTree(relative + "/" + name, under: root, add) }
        } else {
            try add(relative, path)
        }
    }

    /// Restores into a new (missing or empty) data directory; every file is checked against the manifest.
    /// A backup of a manager on PostgreSQL needs `database`, an empty database its dump is restored into.
    public static func restore(_ archive: String, into dataDirectory: String, database: PostgresSettings? = nil) throws -> Summary {
        if LocalFile.exists(dataDirectory), !(try LocalDirectory.list(dataDirectory)).isEmpty {
            throw BackupError("\(dataDirectory) is not empty: restore only into a new data directory")
        }
        let zip: ZipArchive
        do { zip = try ZipArchive(path: archive) } catch { throw BackupError("\(archive) is not a readable backup: \(error)") }
        guard let manifestMember = zip.member(named: marker), zip.member(named: "catalog.sqlite") != nil else {
            throw BackupError("\(archive) is not an exup manager backup")
        }
        var expected: [String: String] = [:]
        let manifest = String(decoding: try zip.contents(of: manifestMember, limit: 64 << 20), as: UTF8.self)
        for line in manifest.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count == 3 { expected[String(parts[2])] = String(parts[0]) }
        }
        for member in zip.members where !member.isDirectory && member.name != marker && expected[member.name] == nil {
            throw BackupError("\(member.name) is not in the backup's manifest: refused")
        }
        let hasDump = zip.member(named: PostgresDump.member) != nil
        if hasDump && database == nil {
            throw BackupError(
                "\(archive) is the backup of a manager on PostgreSQL: give --config with a [database] url naming an empty database to restore it into"
            )
        }
        try LocalFile.makeDirectories(dataDirectory, mode: 0o700)
        chmod(dataDirectory, 0o700)
        var summary = Summary(files: 0, packages: 0, bytes: 0)
        for member in zip.members where !member.isDirectory && member.name != marker {
            let target = dataDirectory + "/" + member.name
            if let slash = member.name.lastIndex(of: "/") {
                try LocalFile.makeDirectories(dataDirectory + "/" + member.name[..<slash], mode: 0o700)
            }
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw BackupError("\(target): \(String(cString: strerror(errno)))") }
            let hasher = SHA256Hasher()
            do {
                defer { close(fd) }
                try zip.stream(member) { chunk in
                    hasher.update(chunk)
                    var done = 0
                    while done < chunk.count {
                        let n = write(fd, chunk.baseAddress! + done, chunk.count - done)
                        if n < 0 { if errno == EINTR { continue }; throw BackupError("\(target): \(String(cString: strerror(errno)))") }
                        done += n
                    }
                }
                fsync(fd)
            }
            let mode = member.name.hasPrefix("pool/") || member.name.hasPrefix("trusted-keys/") ? 0o644 : 0o600
            chmod(target, mode_t(mode))
            guard hasher.finalize().hex == expected[member.name] else {
                try? LocalDirectory.removeTree(dataDirectory)
                throw BackupError("\(member.name) does not match the backup's manifest: the backup is damaged (nothing was kept)")
            }
            if member.name.hasPrefix("pool/") { summary.packages += 1 }
            summary.files += 1
            summary.bytes += member.uncompressedSize
        }
        if hasDump, let database {
            let dump = dataDirectory + "/" + PostgresDump.member
            defer { unlink(dump) }
            do { try PostgresDump.restore(dump, into: database) } catch {
                try? LocalDirectory.removeTree(dataDirectory)
                throw error
            }
        }
        return summary
    }
}

public struct BackupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
