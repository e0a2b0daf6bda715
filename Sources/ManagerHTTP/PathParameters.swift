import Hummingbird

extension Parameters {
    /// A path parameter as the user wrote it: percent-decoded once (`w%C3%A9b01` → `wéb01`), so names in
    /// answers and in the log read as they were given.
    package func decoded(_ key: String) throws -> String { RawPath.percentDecode(try require(key)) }

    /// A numeric path parameter (a batch's id); anything else is a 400 in the API's error shape.
    package func number(_ key: String) throws -> Int64 {
        guard let value = try optionalNumber(key) else { throw APIError.badRequest("\(key) must be a whole number, not nothing") }
        return value
    }

    /// A numeric parameter that may be absent (query parameters are `Parameters` too): one that is given
    /// must parse, so a typo is a 400 rather than a filter silently dropped.
    package func optionalNumber(_ key: String) throws -> Int64? {
        guard let text = get(key) else { return nil }
        guard let value = Int64(text) else { throw APIError.badRequest("\(key) must be a whole number, not \(text)") }
        return value
    }
}

/// The raw request path after a prefix, percent-decoded once (`7.models%2Fx.json` → `7.models/x.json`).
package enum RawPath {
    package static func tail(of uri: String, after prefix: String) -> String {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        guard path.hasPrefix(prefix) else { return "" }
        return percentDecode(String(path.dropFirst(prefix.count)))
    }

    package static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let b = iterator.next() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            // A well-formed escape is decoded once; anything else ("%ZZ", a "%" at the end) stays as it was.
            let h = iterator.next(), l = iterator.next()
            if let h, let l, let value = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16), value != 0 {
                bytes.append(value)
            } else {
                bytes.append(b)
                if let h { bytes.append(h) }
                if let l { bytes.append(l) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
