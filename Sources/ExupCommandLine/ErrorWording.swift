import ExupCore

/// One line for any error, in words: no Swift type names, argument labels or source locations reach an
/// operator. The project's own errors already read well; foreign ones (the network layer's, the decoder's,
/// the service group's) are reworded here, and anything unrecognisable becomes a plain "internal error".
public enum ErrorWording {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let failure as CommandFailure: return failure.message
        case let decoding as DecodingError: return describe(decoding)
        case is CancellationError: return "cancelled"
        default: return plain(String(describing: error))
        }
    }

    /// `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)` → `address already in use`; a
    /// `TypeName(field: …)` dump or a source location → "internal error".
    public static func plain(_ text: String) -> String {
        var text = text
        // A system call's Swift spelling in front: "name(label:label:): ".
        if let colon = text.firstRange(of: "): "), text[..<colon.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "_:(".contains($0) }) {
            text = String(text[colon.upperBound...])
        }
        if let errno = text.firstRange(of: " (errno: ") { text = String(text[..<errno.lowerBound]) }
        while text.hasSuffix(")") && text.filter({ $0 == "(" }).count < text.filter({ $0 == ")" }).count { text.removeLast() }
        if looksInternal(text) {
            return "internal error (\(firstWords(of: text))); the details are in the log, or run again with EXUP_DEBUG=1"
        }
        guard let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase == true else { return text }
        return first.lowercased() + text.dropFirst()
    }

    /// True for text that is a Swift dump rather than a sentence: a type name applied to labelled fields,
    /// a source location, a logger's storage.
    public static func looksInternal(_ text: String) -> Bool {
        if text.contains(".swift") || text.contains("file: ") || text.contains("line: ") || text.contains("_storage") { return true }
        // "SomeType(label: …" or "Module.Type.case(…"
        guard let open = text.firstIndex(of: "("), let first = text.first, first.isUppercase else { return false }
        let head = text[..<open]
        guard !head.contains(" "), head.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }) else { return false }
        return true
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : " at " + keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "unexpected data: \(key.stringValue) is missing\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected data\(path(context)): \(plain(context.debugDescription))"
        case .dataCorrupted(let context): return "unreadable data\(path(context)): \(plain(context.debugDescription))"
        @unknown default: return "unreadable data"
        }
    }

    private static func firstWords(of text: String) -> String {
        let name = text.prefix { $0.isLetter || $0.isNumber }
        return name.isEmpty
            ? "unexpected"
            : name.reduce(into: "") { out, c in
                if c.isUppercase, !out.isEmpty { out += " " }
                out += c.lowercased()
            }
    }
}
