/// Member name rules (package-format.md): no absolute names, no `..`, `.` or empty segments, no
/// backslash or NUL, valid UTF-8, at most `maxBytes` bytes. Returns the reason a name is refused.
enum ZipNameRules {
    static func problem(with bytes: [UInt8], isDirectory: Bool, maxBytes: Int) -> String? {
        if bytes.isEmpty { return "empty member name" }
        if bytes.count > maxBytes { return "name is \(bytes.count) bytes, over \(maxBytes)" }
        if bytes.contains(0) { return "name contains a NUL byte" }
        if String(validating: bytes, as: UTF8.self) == nil { return "name is not valid UTF-8" }
        if bytes.contains(UInt8(ascii: "\\")) { return "name contains a backslash" }
        if bytes.first == UInt8(ascii: "/") { return "absolute path not allowed" }
        var segments = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if isDirectory, segments.last?.isEmpty == true { segments.removeLast() }
        for segment in segments {
            if segment.isEmpty { return "empty path segment" }
            if segment.elementsEqual("..".utf8) { return "path escapes the package" }
            if segment.elementsEqual(".".utf8) { return "'.' path segment not allowed" }
        }
        return nil
    }

    /// A printable form of a name for messages, even when it is not UTF-8.
    static func display(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) { return text }
        var out = ""
        for b in bytes {
            if b >= 0x20 && b < 0x7F { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += "\\x" + String(b, radix: 16).leftPadded(to: 2) }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
