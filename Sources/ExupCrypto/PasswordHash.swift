internal import COpenSSL

/// Users' passwords, stored as `pbkdf2-sha256$ITERATIONS$SALT$HASH` (salt and hash base64): PBKDF2-HMAC-
/// SHA256 through libcrypto with a random 16-byte salt, slow on purpose so a stolen database does not
/// give the passwords away cheaply. The iteration count is stored, so it can grow without breaking old hashes.
public enum PasswordHash {
    public static let iterations = 210_000

    public static func make(_ password: String, iterations: Int = PasswordHash.iterations) throws -> String {
        let salt = try SecureRandom.bytes(16)
        let hash = derive(Array(password.utf8), salt: salt, iterations: iterations)
        return "pbkdf2-sha256$\(iterations)$\(Base64.encode(salt))$\(Base64.encode(hash))"
    }

    /// Whether `password` matches `stored`; malformed stored values never match. Constant-time comparison.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), (1_000...10_000_000).contains(iterations),
            let salt = Base64.decode(Array(parts[2].utf8)), let expected = Base64.decode(Array(parts[3].utf8)), expected.count == 32
        else {
            return false
        }
        let actual = derive(Array(password.utf8), salt: salt, iterations: iterations)
        var difference: UInt8 = 0
        for (a, b) in zip(actual, expected) { difference |= a ^ b }
        return difference == 0
    }

    static func derive(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        password.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                p.baseAddress.map { base in
                    base.withMemoryRebound(to: CChar.self, capacity: p.count) { chars in
                        _ = PKCS5_PBKDF2_HMAC(chars, Int32(p.count), s.baseAddress, Int32(s.count), Int32(iterations), EVP_sha256(), 32, &out)
                    }
                }
                    ?? {
                        _ = PKCS5_PBKDF2_HMAC("", 0, s.baseAddress, Int32(s.count), Int32(iterations), EVP_sha256(), 32, &out)
                    }()
            }
        }
        return out
    }
}
