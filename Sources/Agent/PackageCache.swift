import ExupSystem
import TUF
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// Downloaded packages (architecture.md, "Nothing lost"): a download lands in `<name>.part`, resumes
/// with a Range request after an interruption, never grows past the length the TUF targets metadata
/// gives, and is moved to its final name only once that length and every hash match. A cached package
/// is checked against the metadata again each time it is used, so a file changed in the cache is never
/// taken for the one the repository offered.
public struct PackageCache {
    let directory: String
    let repositoryURL: String
    let client: HTTPClient
    /// Free space a download must leave in the cache's file system.
    var reserve: UInt64 = 256 << 20

    public init(directory: String, managerURL: String, credential: String, caFile: String?, proxy: ProxySettings? = nil) {
        self.directory = directory
        repositoryURL = ManagerLink.repositoryURL(managerURL)
        client = ManagerLink.client(credential: credential, caFile: caFile, proxy: proxy, totalTimeoutSeconds: 0)
    }

    public func path(for target: OfferedPackage) -> String {
        directory + "/" + (target.path.split(separator: "/").last.map(String.init) ?? target.path)
    }

    /// The package at its final path, downloaded if it is not cached yet.
    public func fetch(_ target: OfferedPackage, progress: ((_ received: Int) -> Void)? = nil) throws -> String {
        let final = path(for: target)
        if LocalFile.exists(final) {
            if (try? check(final, against: target)) != nil { return final }
            unlink(final)  // not what the metadata describes: fetch it again
        }
        do { try LocalFile.makeDirectories(directory, mode: 0o700) } catch { throw AgentError("cannot create the cache \(directory): \(error)") }
        let partialSize = LocalFile.size(final + ".part") ?? 0
        if let free = LocalDirectory.freeBytes(at: directory), free + partialSize < UInt64(target.length) + reserve {
            throw AgentError(
                "not enough free space in \(directory) for \(target.info.id): \(UInt64(target.length) - min(partialSize, UInt64(target.length))) more bytes needed "
                    + "and \(reserve >> 20) MiB kept free (cache-reserve-mib), \(free) bytes free")
        }
        guard let remote = target.consistentPath else { throw AgentError("the metadata gives no sha256 for \(target.path)") }
        let partial = final + ".part"
        let response: HTTPClient.Response
        do {
            response = try client.download(
                repositoryURL + "/targets/" + remote, to: partial, maxBytes: UInt64(target.length),
                progress: progress.map { report in
                    {
                        report(Int($0)); return true
                    }
                })
        } catch {
            throw AgentError("download of \(target.info.id) stopped (it resumes next time): \(error)", kind: .resumable)
        }
        guard response.status == 200 || response.status == 206 else {
            throw AgentError("the repository answered \(response.status) for \(target.path)")
        }
        do { try check(partial, against: target) } catch {
            unlink(partial)  // a complete file with the wrong digest cannot be resumed into the right one
            throw error
        }
        guard rename(partial, final) == 0 else { throw AgentError("cannot move \(partial) into place: \(String(cString: strerror(errno)))") }
        return final
    }

    /// Length and every hash of the targets metadata, read in one streaming pass.
    public func check(_ path: String, against target: OfferedPackage) throws {
        guard let hashes = target.hashes, !hashes.isEmpty else { throw AgentError("the metadata gives no hashes for \(target.info.id)") }
        do { try TargetFile(path: target.path, length: target.length, hashes: hashes).verifyFile(at: path) } catch {
            throw AgentError("\(target.info.id) does not match the repository's metadata (\(error)): refused")
        }
    }

    /// Removes cached packages (and partial downloads) that are not in `keep`.
    public func prune(keeping keep: [OfferedPackage]) {
        let names = Set(keep.map { path(for: $0).split(separator: "/").last.map(String.init) ?? "" })
        for name in (try? LocalDirectory.list(directory)) ?? [] {
            let base = name.hasSuffix(".part") ? String(name.dropLast(5)) : name
            if !names.contains(base) { unlink(directory + "/" + name) }
        }
    }
}
