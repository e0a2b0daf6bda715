import Hummingbird

#if canImport(Glibc)
    import Glibc
#endif

/// Streams a request body into a new file (0600) without holding it in memory, refusing it past `limit`.
/// On any failure the partial file is removed. Returns the number of bytes received.
package enum BodyFile {
    package static func receive(_ request: Request, to path: String, limit: Int64, what: String) async throws -> Int64 {
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > limit {
            throw APIError(.contentTooLarge, "too-large", "the \(what) is \(length) bytes, over the \(limit)-byte limit")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw APIError(.internalServerError, "storage", "cannot store the \(what)") }
        var received: Int64 = 0
        do {
            defer { close(fd) }
            for try await buffer in request.body {
                received += Int64(buffer.readableBytes)
                guard received <= limit else {
                    throw APIError(.contentTooLarge, "too-large", "the \(what) is over the \(limit)-byte limit")
                }
                try buffer.withUnsafeReadableBytes { raw in
                    var done = 0
                    while done < raw.count {
                        let n = write(fd, raw.baseAddress! + done, raw.count - done)
                        if n < 0 { if errno == EINTR { continue }; throw APIError(.internalServerError, "storage", "cannot store the \(what)") }
                        done += n
                    }
                }
            }
            guard fsync(fd) == 0 else { throw APIError(.internalServerError, "storage", "cannot store the \(what)") }
        } catch {
            unlink(path)
            throw error
        }
        guard received > 0 else {
            unlink(path)
            throw APIError.badRequest("the body is empty: send the \(what)")
        }
        return received
    }
}
