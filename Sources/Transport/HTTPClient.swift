internal import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP(S) client over libcurl. One instance owns one easy handle (connections are reused between
/// requests); it is not Sendable — give each task its own. Every request has explicit timeouts.
public final class HTTPClient {
    public struct Options: Sendable {
        public var connectTimeoutMilliseconds = 5_000
        /// Aborts a transfer slower than `lowSpeedBytesPerSecond` for this long (a stalled server).
        public var stallTimeoutSeconds = 30
        public var lowSpeedBytesPerSecond = 1
        /// Hard limit for one whole request, 0 = none (large downloads rely on the stall timeout).
        public var totalTimeoutSeconds = 0
        /// PEM bundle of CAs to trust for HTTPS instead of the system's.
        public var caFile: String?
        public var bearerToken: String?
        public var userAgent = "exup"
        /// Requests go through this proxy; without one, none is used (not even one named by the
        /// environment's http_proxy, which libcurl would otherwise honour behind the operator's back).
        public var proxy: ProxySettings?

        public init() {}
    }

    public struct Response: Sendable {
        public var status: Int
        /// Header names in lower case; the last value wins.
        public var headers: [String: String]
        public var body: [UInt8]
        /// The URL after redirects.
        public var effectiveURL: String

        public var etag: String? { headers["etag"] }
    }

    public var options: Options
    private let handle: UnsafeMutableRawPointer

    public init(options: Options = Options()) {
        self.options = options
        HTTPClient.globalInit
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// GET into memory, cut at `maxBytes`. Extra headers (e.g. `If-None-Match`) are sent as given.
    public func get(_ url: String, headers: [String: String] = [:], maxBytes: UInt64) throws(HTTPError) -> Response {
        try perform(method: "GET", url: url, headers: headers, body: nil, maxBytes: maxBytes, sink: nil)
    }

    /// A request with a body (POST, PUT), the answer in memory up to `maxBytes`.
    public func send(
        _ method: String, _ url: String, body: [UInt8], headers: [String: String] = [:],
        maxBytes: UInt64 = 16 << 20
    ) throws(HTTPError) -> Response {
        try perform(method: method, url: url, headers: headers, body: body, maxBytes: maxBytes, sink: nil)
    }

    /// POSTs a file as the body, streamed from disk (a package can be gigabytes), answer in memory.
    /// `progress` is called with the bytes sent and the file's size as the upload goes (keep it short).
    public func post(
        _ url: String, file path: String, contentType: String = "application/octet-stream",
        maxBytes: UInt64 = 16 << 20, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(HTTPError) -> Response {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .file(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let source = FileSource(fd: fd, size: UInt64(info.st_size))
        source.progress = progress
        return try perform(
            method: "POST", url: url, headers: ["Content-Type": contentType, "Expect": ""], body: nil,
            maxBytes: maxBytes, sink: nil, source: source)
    }

    /// Streams `url` into `path`, resuming from the bytes already there with a Range request (a server
    /// that ignores Range sends the whole file, which then replaces the partial one). The file never grows
    /// past `maxBytes`. Returns the response with an empty body.
    /// `progress` is called with the file's length as it grows (from libcurl's callback: keep it short);
    /// returning false stops the transfer (`HTTPError.stopped`), leaving the partial file to resume.
    public func download(
        _ url: String, to path: String, maxBytes: UInt64, resume: Bool = true,
        headers: [String: String] = [:], progress: ((UInt64) -> Bool)? = nil
    ) throws(HTTPError) -> Response {
        var existing: UInt64 = 0
        var info = stat()
        if resume, stat(path, &info) == 0 { existing = UInt64(info.st_size) }
        if existing >= maxBytes && maxBytes > 0 { existing = 0 }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .file(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var requestHeaders = headers
        if existing > 0 { requestHeaders["Range"] = "bytes=\(existing)-" }
        let sink = FileSink(fd: fd, offset: existing, path: path)
        sink.progress = progress
        var response: Response
        do { response = try perform(method: "GET", url: url, headers: requestHeaders, body: nil, maxBytes: maxBytes, sink: sink) } catch {
            if sink.stopped { _ = ftruncate(fd, off_t(sink.offset)); throw .stopped(url: url) }
            throw error
        }
        if let error = sink.error { throw .file(path: path, reason: error) }
        response.body = []
        _ = ftruncate(fd, off_t(sink.offset))
        fsync(fd)
        return response
    }

    // MARK: - The transfer

    private func perform(
        method: String, url: String, headers: [String: String], body: [UInt8]?,
        maxBytes: UInt64, sink: FileSink?, source: FileSource? = nil
    ) throws(HTTPError) -> Response {
        curl_easy_reset(handle)
        let state = TransferState(maxBytes: maxBytes, sink: sink)
        state.source = source
        let context = Unmanaged.passRetained(state)
        defer { context.release() }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        var allHeaders = headers
        if let token = options.bearerToken { allHeaders["Authorization"] = "Bearer \(token)" }
        for (name, value) in allHeaders.sorted(by: { $0.key < $1.key }) {
            // "Name;" sends an empty header; "Name:" with no value would remove curl's own (Expect).
            list = curl_slist_append(list, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        if body != nil && allHeaders["Content-Type"] == nil { list = curl_slist_append(list, "Content-Type: application/json") }

        var setupFailed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK && setupFailed == CURLE_OK { setupFailed = code } }
        set(exup_curl_setopt_string(handle, CURLOPT_URL, url))
        set(exup_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(exup_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds))
        set(exup_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.stallTimeoutSeconds))
        set(exup_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytesPerSecond))
        if options.totalTimeoutSeconds > 0 { set(exup_curl_setopt_long(handle, CURLOPT_TIMEOUT, options.totalTimeoutSeconds)) }
        set(exup_curl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent))
        set(exup_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(exup_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        if let caFile = options.caFile { set(exup_curl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        if let proxy = options.proxy {
            set(exup_curl_setopt_string(handle, CURLOPT_PROXY, proxy.url))
            set(exup_curl_setopt_long(handle, CURLOPT_PROXYAUTH, proxy.curlAuthBits))
            if let username = proxy.username { set(exup_curl_setopt_string(handle, CURLOPT_PROXYUSERNAME, username)) }
            if let password = proxy.password { set(exup_curl_setopt_string(handle, CURLOPT_PROXYPASSWORD, password)) }
        } else {
            set(exup_curl_setopt_string(handle, CURLOPT_PROXY, ""))
        }
        // libcurl would also hold a proxy's 407 challenge page to this cap (and fail before answering the
        // challenge), so through a proxy only the write callback enforces it.
        if maxBytes > 0 && options.proxy == nil { set(exup_curl_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBytes))) }
        set(exup_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        set(exup_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, transferWrite))
        set(exup_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque()))
        set(exup_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, transferHeader))
        set(exup_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque()))
        if let source {
            set(exup_curl_setopt_long(handle, CURLOPT_POST, 1))
            set(exup_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(source.size)))
            set(exup_curl_setopt_callback(handle, CURLOPT_READFUNCTION, transferRead))
            set(exup_curl_setopt_pointer(handle, CURLOPT_READDATA, context.toOpaque()))
        } else if method != "GET" {
            set(exup_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        guard setupFailed == CURLE_OK else { throw .transport(url: url, code: Int(setupFailed.rawValue), reason: HTTPClient.text(setupFailed)) }

        let code: CURLcode = (body ?? []).withUnsafeBufferPointer { buffer in
            if body != nil {
                _ = exup_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
                _ = exup_curl_setopt_pointer(
                    handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            return curl_easy_perform(handle)
        }
        if state.tooLarge || code == CURLE_FILESIZE_EXCEEDED { throw .tooLarge(url: url, limit: maxBytes) }
        if let proxy = options.proxy, code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_PROXY {
            throw .proxyUnreachable(proxy: proxy.description, reason: HTTPClient.text(code))
        }
        guard code == CURLE_OK else { throw .transport(url: url, code: Int(code.rawValue), reason: HTTPClient.text(code)) }
        var status = 0
        _ = exup_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if status == 407, let proxy = options.proxy {
            throw .proxyAuthentication(proxy: proxy.description, offered: state.headers["proxy-authenticate"] ?? "no scheme named")
        }
        var effective: UnsafeMutablePointer<CChar>?
        _ = exup_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        return Response(
            status: status, headers: state.headers, body: state.body,
            effectiveURL: effective.map { String(cString: $0) } ?? url)
    }

    static func text(_ code: CURLcode) -> String { String(cString: curl_easy_strerror(code)) }
}

/// What one transfer accumulates; reached from libcurl's callbacks through an unmanaged pointer.
final class TransferState {
    let maxBytes: UInt64
    let sink: FileSink?
    var body: [UInt8] = []
    var received: UInt64 = 0
    var headers: [String: String] = [:]
    var tooLarge = false
    /// The status line of the response being read (a 100 Continue or a redirect may come first).
    var status = 0
    /// The request body, for file uploads.
    var source: FileSource?

    init(maxBytes: UInt64, sink: FileSink?) {
        self.maxBytes = maxBytes
        self.sink = sink
    }
}

/// Reads an upload's body from its file.
final class FileSource {
    let fd: Int32
    let size: UInt64
    var sent: UInt64 = 0
    var progress: ((UInt64, UInt64) -> Void)?

    init(fd: Int32, size: UInt64) {
        self.fd = fd
        self.size = size
    }
}

private let transferRead: exup_curl_data_callback = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    guard let source = state.source else { return 0 }
    while true {
        let n = read(source.fd, data, size * count)
        if n < 0 && errno == EINTR { continue }
        if n > 0 {
            source.sent += UInt64(n)
            source.progress?(source.sent, source.size)
        }
        return n < 0 ? Int(CURL_READFUNC_ABORT) : n
    }
}

/// Writes a download to its file at the right offset; a 200 to a Range request restarts from 0.
final class FileSink {
    let fd: Int32
    var offset: UInt64
    let path: String
    var error: String?
    var progress: ((UInt64) -> Bool)?
    var stopped = false

    init(fd: Int32, offset: UInt64, path: String) {
        self.fd = fd
        self.offset = offset
        self.path = path
    }
}

private let transferWrite: exup_curl_data_callback = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    if let sink = state.sink {
        // Only a 200 replaces a partial file (a 407 challenge before the 206 must not).
        if state.status == 200 && state.received == 0 && sink.offset > 0 { sink.offset = 0 }
        guard state.status < 300 else { return length }  // error bodies are not written to the file
        guard state.maxBytes == 0 || sink.offset + UInt64(length) <= state.maxBytes else { state.tooLarge = true; return 0 }
        var done = 0
        while done < length {
            let n = pwrite(sink.fd, data! + done, length - done, off_t(sink.offset) + off_t(done))
            if n < 0 { if errno == EINTR { continue }; sink.error = String(cString: strerror(errno)); return 0 }
            done += n
        }
        sink.offset += UInt64(length)
        state.received += UInt64(length)
        if let progress = sink.progress, !progress(sink.offset) {
            sink.stopped = true
            return 0
        }
        return length
    }
    // A proxy's 407 challenge is answered by libcurl itself (Digest, or "any" probing): its error page is
    // not the body the caller asked for and must not count against the size cap.
    if state.status == 407 { return length }
    state.received += UInt64(length)
    guard state.maxBytes == 0 || state.received <= state.maxBytes else { state.tooLarge = true; return 0 }
    state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private let transferHeader: exup_curl_data_callback = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        state.headers = [:]
        let parts = line.split(separator: " ")
        state.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
        state.headers[name] = value
    }
    return length
}

extension Substring {
    /// Trims by Unicode scalar (a Character set would treat "\r\n" as one element and miss a lone "\n").
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = unicodeScalars
        while let f = view.first, scalars.contains(f) { view.removeFirst() }
        while let l = view.last, scalars.contains(l) { view.removeLast() }
        return String(view)
    }
}
