import ApplicationLog
import ExupCore
import ExupCrypto
import ExupSystem
import FoundationEssentials
import Hummingbird
import ManagerHTTP
import Repository

#if canImport(Glibc)
    import Glibc
#endif

/// The repository's hand-routed HTTP surface: TUF metadata and targets for agents and other managers
/// (`/repo/v1/…`), the streamed package upload and export download. The rest of the
/// administration API (`/api/v1/repository/…`, the log) is generated (GeneratedAPI+Repository.swift).
package struct RepositoryRoutes: Sendable {
    let repository: RepositoryService
    let exports: ExportJobs
    let authenticator: Authenticator
    let maxUploadBytes: Int64
    /// Set when this manager uses another's repository: agents' metadata and packages come through it.
    let mirror: RemoteRepository?
    let fileIO = FileIO()

    package func register(on router: Router<ManagerRequestContext>) {
        router.get("/repo/v1/metadata/**") { request, context in try await self.metadata(request, context) }
        router.get("/repo/v1/targets/**") { request, context in try await self.target(request, context) }
        router.get("/api/v1/repository/root") { request, _ in
            try self.requireReader(request)
            return try self.metadataResponse(name: "root", bytes: await self.currentRoot(), request: request)
        }

        router.post("/api/v1/repository/packages") { request, _ in try await self.upload(request) }
        router.get("/api/v1/repository/exports/:id/archive") { request, context in
            try self.authenticator.require(request, .apply)
            let id = try context.parameters.decoded("id")
            guard let path = await self.exports.archive(id) else { throw APIError.notFound("export \(id) is not ready") }
            let body = try await self.fileIO.loadFile(path: path, context: context)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/zip",
                    .contentDisposition: "attachment; filename=\"exup-archive-\(id).zip\"",
                ], body: body)
        }
    }

    // MARK: - Authentication

    @discardableResult
    /// TUF metadata and packages: any valid credential (repository password, agent, user, administrator).
    func requireReader(_ request: Request) throws -> Principal {
        guard let principal = authenticator.principal(authorization: request.headers[.authorization]) else {
            throw APIError.unauthenticated
        }
        return principal
    }

    // MARK: - TUF metadata and targets

    func currentRoot() async throws -> [UInt8] {
        if let mirror { return try await OffPool.run { try mirror.currentRootBytes() } }
        guard let (version, _) = try repository.catalog.role("root").map({ ($0.version, $0.bytes) }),
            let bytes = try repository.metadataFile("\(version).root.json")
        else { throw APIError.notFound("no root.json yet") }
        return bytes
    }

    func metadata(_ request: Request, _ context: ManagerRequestContext) async throws -> Response {
        try requireReader(request)
        let name = RawPath.tail(of: request.uri.string, after: "/repo/v1/metadata/")
        let found: [UInt8]?
        if let mirror {
            do { found = try await OffPool.run { try mirror.metadata(name) } } catch {
                throw APIError(.badGateway, "remote-repository", "\(error)")
            }
        } else {
            found = try repository.metadataFile(name)
        }
        guard let bytes = found else { throw APIError.notFound("no metadata file \(name)") }
        return metadataResponse(name: name, bytes: bytes, request: request)
    }

    /// ETag = the file's digest; If-None-Match answers an unchanged file with an empty 304.
    func metadataResponse(name: String, bytes: [UInt8], request: Request) -> Response {
        let etag = "\"" + SHA256Hasher.hash(bytes).hex.prefix(32) + "\""
        var headers: HTTPFields = [.eTag: etag, .cacheControl: "no-cache"]
        if let presented = request.headers[.ifNoneMatch],
            presented.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Target files from the pool, with Range support (resumed downloads).
    func target(_ request: Request, _ context: ManagerRequestContext) async throws -> Response {
        try requireReader(request)
        let path = RawPath.tail(of: request.uri.string, after: "/repo/v1/targets/")
        let found: String?
        if let mirror {
            do { found = try await OffPool.run { try mirror.targetFile(path) } } catch {
                throw APIError(.badGateway, "remote-repository", "\(error)")
            }
        } else {
            found = try repository.targetFile(path)
        }
        guard let file = found else { throw APIError.notFound("no target \(path)") }
        var info = stat()
        guard stat(file, &info) == 0 else { throw APIError.notFound("no target \(path)") }
        let size = Int(info.st_size)
        // A target's name starts with its SHA-256 (TUF consistent snapshots) and the pool is content-addressed:
        // the bytes behind a name never change, so any HTTP cache may keep them for good (agents check
        // every byte against TUF metadata anyway), and the digest is a strong ETag.
        let name = path[(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex)...]
        let etag = "\"" + name.prefix(64).lowercased() + "\""
        var headers: HTTPFields = [
            .contentType: "application/zip", .acceptRanges: "bytes", .eTag: etag, .cacheControl: "public, max-age=31536000, immutable",
        ]
        if let presented = request.headers[.ifNoneMatch],
            presented.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" })
        {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: headers[.cacheControl]!])
        }
        if let rangeHeader = request.headers[.range] {
            guard let range = ByteRange.parse(rangeHeader, size: size) else {
                // An error about this request, not the package: nothing for a cache to keep.
                return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)", .cacheControl: "no-store"])
            }
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = "\(range.count)"
            return Response(
                status: .partialContent, headers: headers,
                body: try await fileIO.loadFile(path: file, range: range, context: context))
        }
        headers[.contentLength] = "\(size)"
        return Response(status: .ok, headers: headers, body: try await fileIO.loadFile(path: file, context: context))
    }

    /// R126: a manager that uses a remote repository cannot delete that repository's packages.
    func refuseRemoteDelete(_ ids: [String], _ mirror: RemoteRepository, actor: String) throws -> [DeleteResult] {
        try ids.map { id in
            try repository.catalog.log(
                AppLogEntry(
                    time: Int64(time(nil)), event: .deleteFailed, actor: actor,
                    cause: "\(id): the package belongs to the remote repository \(mirror.settings.url)"))
            return DeleteResult(
                packageID: id, result: .error, code: .remoteRepository,
                message: "This manager uses the remote repository \(mirror.settings.url): delete packages there")
        }
    }

    // MARK: - Upload

    /// `POST /api/v1/repository/packages?mode=needed|all&name=FILE`, the package as the body. Streamed to
    /// the incoming directory with the size limit enforced while it arrives, then verified and added.
    func upload(_ request: Request) async throws -> Response {
        let principal = try authenticator.require(request, .administer)
        if let mirror {
            throw APIError(.conflict, "remote-repository", "this manager uses the repository of \(mirror.settings.url): add packages there")
        }
        let modeText = request.uri.queryParameters.get("mode") ?? "needed"
        guard let mode = AddMode(rawValue: modeText) else { throw APIError.badRequest("mode must be needed or all, not \(modeText)") }
        let name = request.uri.queryParameters.get("name").map { String($0.prefix(255)) } ?? "upload.zip"
        let path = repository.pool.incomingPath()
        _ = try await BodyFile.receive(request, to: path, limit: maxUploadBytes, what: "package")
        let result = await repository.add(file: path, name: name, mode: mode, actor: principal.name)
        // A file that was read is a result, whatever it says (openapi.yaml): 201 when added, else 200.
        return try Response.json(result, status: result.code == .added ? .created : .ok)
    }

    package init(repository: RepositoryService, exports: ExportJobs, authenticator: Authenticator, maxUploadBytes: Int64, mirror: RemoteRepository?) {
        self.repository = repository
        self.exports = exports
        self.authenticator = authenticator
        self.maxUploadBytes = maxUploadBytes
        self.mirror = mirror
    }
}

struct PlatformBody: Decodable {
    var model: String
    var os: String

    func platform() throws -> Platform {
        let trimmed = Platform.normalizedModel(model)
        guard !trimmed.isEmpty else { throw APIError.badRequest("model must not be empty") }
        guard OSRule(os) != nil, os != "linux", os != "bmc", os != "offline" else {
            throw APIError.badRequest("os must be an os-release ID or ID:VERSION_ID (debian, rhel:9.4), not \(os)")
        }
        return Platform(model: trimmed, os: OSIdentity(parsing: os))
    }
}

/// One `Range: bytes=…` range (the forms resumed downloads use).
enum ByteRange {
    static func parse(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(first), start < size else { return nil }
        let end = last.isEmpty ? size - 1 : min(Int(last) ?? -1, size - 1)
        return start <= end ? start...end : nil
    }
}
