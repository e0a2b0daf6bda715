internal import COpenSSL

/// A failure inside libcrypto, naming the call and OpenSSL's own reason.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    public var call: String
    public var reason: String

    public var description: String { "\(call): \(reason)" }

    /// Captures and clears OpenSSL's error queue for `call`.
    static func fromQueue(_ call: String) -> CryptoError {
        var reason = "unknown error"
        var code = ERR_get_error()
        if code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            repeat { code = ERR_get_error() } while code != 0
        }
        return CryptoError(call: call, reason: reason)
    }
}
