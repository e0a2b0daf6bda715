import ExupCrypto
import ExupSystem
import ExupZip
import PackageFormat

#if canImport(Glibc)
    import Glibc
#endif

/// A verified package extracted into a private staging directory (package-format.md, "Running a
/// package"): the archive is verified (signature by a trusted vendor key, every hash), extracted with
/// 0700 directories and 0600 files (the command 0700), and checked again against the signed manifest
/// right before its program runs.
public struct PackageStaging {
    public let directory: String
    public let package: VerifiedPackage

    /// Verifies `archive` and extracts it into `directory` (emptied first).
    public static func prepare(archive: String, into directory: String, trustedKeys: TrustedKeys) throws -> PackageStaging {
        let package: VerifiedPackage
        do { package = try PackageVerifier(trustedKeys: trustedKeys).verify(path: archive) } catch {
            throw AgentError("package refused: \(error)")
        }
        do {
            try LocalDirectory.removeTree(directory)
            try LocalFile.makeDirectories(directory, mode: 0o700)
            chmod(directory, 0o700)
            let zip = try ZipArchive(path: archive)
            let command = package.info.apply?.path
            for member in zip.members {
                let target = directory + "/" + member.name
                if member.isDirectory {
                    try LocalFile.makeDirectories(target, mode: 0o700)
                    continue
                }
                if let slash = member.name.lastIndex(of: "/") {
                    try LocalFile.makeDirectories(directory + "/" + member.name[..<slash], mode: 0o700)
                }
                let executable = member.name == command || member.name == package.info.uninstall?.path
                try write(zip, member, to: target, mode: executable ? 0o700 : 0o600)
            }
        } catch let error as AgentError { throw error } catch {
            throw AgentError("cannot extract \(package.info.id) into \(directory): \(error)")
        }
        return PackageStaging(directory: directory, package: package)
    }

    /// Every file of the signed manifest is still there with its size and digest (the staging directory
    /// could have been touched between extraction and the run).
    public func recheck() throws {
        for entry in package.manifest.entries {
            let path = directory + "/" + entry.path
            let actual: (length: UInt64, digest: Digest)
            do { actual = try FileDigest.sha256(path: path) } catch { throw AgentError("staged \(entry.path) cannot be read (\(error)): refused") }
            guard actual.length == entry.size, actual.digest == entry.sha256 else {
                throw AgentError("staged \(entry.path) changed after verification: refused")
            }
        }
    }

    static func write(_ zip: ZipArchive, _ member: ZipMember, to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw AgentError("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try zip.stream(member) { chunk in
            var done = 0
            while done < chunk.count {
                let n = Glibc.write(fd, chunk.baseAddress! + done, chunk.count - done)
                if n < 0 { if errno == EINTR { continue }; throw AgentError("\(path): \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        fchmod(fd, mode)
        fsync(fd)
    }
}
