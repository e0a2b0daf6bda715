/// Form bodies the web UI receives: URL-encoded fields and multipart uploads. Pure parsing, no I/O beyond
/// mapping an upload that is already on disk; its own target so that the fuzzers reach it.
#if canImport(Glibc)
    import Glibc
#endif

/// A submitted form's fields (application/x-www-form-urlencoded, or the text fields of a multipart
/// upload), in order, with repeated names kept.
public struct WebForm: Sendable {
    public var fields: [(name: String, value: String)] = []

    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    public func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
    public func flag(_ name: String) -> Bool { self[name].map { $0 == "on" || $0 == "true" || $0 == "1" } ?? false }

    public init(fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// Parses `a=1&b=x+y%21`.
    public init(urlEncoded bytes: [UInt8]) {
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0]), value = parts.count > 1 ? Self.decode(parts[1]) : ""
            fields.append((name, value))
        }
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), bytes.distance(from: index, to: bytes.endIndex) > 2,
                let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A multipart/form-data body already stored in a file, read through a read-only mapping so that a large
/// upload never sits on the heap. Text fields become a `WebForm`; each file part is handed to `onFile`
/// with its (client-side) file name and bytes.
public enum MultipartFile {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimming(" ") }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value =
                    pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    public static func parse(path: String, boundary: String, onFile: (String, UnsafeRawBufferPointer) throws -> Void) throws -> WebForm {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot read the upload") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { throw Failure(description: "the upload is empty") }
        let size = Int(info.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw Failure(description: "cannot map the upload")
        }
        defer { munmap(base, size) }
        return try parse(UnsafeRawBufferPointer(start: base, count: size), boundary: boundary, onFile: onFile)
    }

    public static func parse(
        _ body: UnsafeRawBufferPointer, boundary: String, onFile: (String, UnsafeRawBufferPointer) throws -> Void
    ) throws -> WebForm {
        let opening = Array(("--" + boundary).utf8), delimiter = Array(("\r\n--" + boundary).utf8)
        guard body.count >= opening.count, memcmp(body.baseAddress!, opening, opening.count) == 0 else {
            throw Failure(description: "the form data does not start with its boundary")
        }
        var form = WebForm()
        var position = opening.count
        while true {
            // After a boundary: "--" ends the body, "\r\n" starts a part.
            guard position + 2 <= body.count else { throw Failure(description: "the form data ends without its closing boundary") }
            if body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") { return form }
            guard body[position] == 13, body[position + 1] == 10 else { throw Failure(description: "malformed form data after a boundary") }
            position += 2
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: position, limit: 16 << 10) else {
                throw Failure(description: "a part's headers are missing or over 16 KiB")
            }
            let headers = String(decoding: UnsafeRawBufferPointer(rebasing: body[position..<headerEnd]), as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let contentEnd = find(delimiter, in: body, from: contentStart, limit: nil) else {
                throw Failure(description: "a part has no closing boundary (an interrupted upload?)")
            }
            let content = UnsafeRawBufferPointer(rebasing: body[contentStart..<contentEnd])
            let (name, fileName) = disposition(headers)
            if let fileName {
                if !fileName.isEmpty || content.count > 0 { try onFile(fileName, content) }
            } else if let name {
                guard content.count <= 64 << 10 else { throw Failure(description: "the field \(name) is over 64 KiB") }
                form.fields.append((name, String(decoding: content, as: UTF8.self)))
            }
            position = contentEnd + delimiter.count
        }
    }

    /// The `name` and `filename` of a part's Content-Disposition (the file name without any directory).
    static func disposition(_ headers: String) -> (String?, String?) {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            var name: String?, fileName: String?
            for parameter in line.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimming(" ") }
                guard pair.count == 2 else { continue }
                var value = pair[1]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                if pair[0].lowercased() == "name" { name = value }
                if pair[0].lowercased() == "filename" {
                    fileName = String(value.split(separator: "/").last ?? "").split(separator: "\\").last.map(String.init) ?? ""
                }
            }
            return (name, fileName)
        }
        return (nil, nil)
    }

    static func find(_ needle: [UInt8], in body: UnsafeRawBufferPointer, from start: Int, limit: Int?) -> Int? {
        guard start <= body.count else { return nil }
        let length = min(body.count - start, limit.map { $0 + needle.count } ?? Int.max)
        // memchr for the first byte, memcmp for the rest (glibc's memmem is not visible to Swift).
        var offset = 0
        while offset + needle.count <= length {
            guard let hit = memchr(body.baseAddress! + start + offset, Int32(needle[0]), length - offset - needle.count + 1) else { return nil }
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(body.baseAddress!)
            if memcmp(body.baseAddress! + at, needle, needle.count) == 0 { return at }
            offset = at - start + 1
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without `character` at either end.
    public func trimming(_ character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}
