internal import COpenSSL

/// HMAC-SHA256 through libcrypto: agent credentials are stored as HMAC(server key, credential), a fast
/// keyed hash (checked on every poll) that a stolen database alone cannot reverse or replay.
public enum HMACSHA256 {
    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        return Digest(bytes: out)
    }
}
