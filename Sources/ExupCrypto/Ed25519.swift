internal import COpenSSL

/// An Ed25519 public key: verifies vendor signatures (package-format.md) and, later, TUF metadata.
public struct Ed25519PublicKey: Sendable, Hashable {
    /// The 32 raw key bytes.
    public let raw: [UInt8]

    public init(raw: [UInt8]) throws {
        guard raw.count == 32 else {
            throw CryptoError(call: "Ed25519PublicKey", reason: "an Ed25519 public key has 32 bytes, not \(raw.count)")
        }
        self.raw = raw
    }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), as `openssl pkey -pubout` writes it.
    public init(pem: String) throws {
        let key = try PKey.read(pem: pem, isPrivate: false)
        defer { EVP_PKEY_free(key) }
        raw = try PKey.rawBytes(key, isPrivate: false)
    }

    /// SubjectPublicKeyInfo in PEM.
    public var pem: String {
        get throws {
            let key = try PKey.fromRaw(raw, isPrivate: false)
            defer { EVP_PKEY_free(key) }
            return try PKey.writePEM(key, isPrivate: false)
        }
    }

    /// True when `signature` (64 bytes) signs exactly `message`.
    public func isValidSignature(_ signature: [UInt8], for message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == 64, let key = try? PKey.fromRaw(raw, isPrivate: false) else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let ok = signature.withUnsafeBufferPointer { sig in
            EVP_DigestVerify(
                context, sig.baseAddress, sig.count,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        }
        ERR_clear_error()
        return ok == 1
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        message.withUnsafeBytes { isValidSignature(signature, for: $0) }
    }
}

/// An Ed25519 private key: signs `ExUpHash.xml` (and later TUF metadata).
public struct Ed25519PrivateKey: Sendable {
    /// The 32-byte seed.
    public let raw: [UInt8]
    /// Derived once, when the key is made.
    public let publicKey: Ed25519PublicKey

    public init(raw: [UInt8]) throws {
        guard raw.count == 32 else {
            throw CryptoError(call: "Ed25519PrivateKey", reason: "an Ed25519 private key has 32 bytes, not \(raw.count)")
        }
        self.raw = raw
        let key = try PKey.fromRaw(raw, isPrivate: true)
        defer { EVP_PKEY_free(key) }
        publicKey = try Ed25519PublicKey(raw: try PKey.rawBytes(key, isPrivate: false))
    }

    /// A new key from the system's random source.
    public static func generate() throws -> Ed25519PrivateKey {
        try Ed25519PrivateKey(raw: try SecureRandom.bytes(32))
    }

    /// Reads a PEM `PRIVATE KEY` (PKCS#8), as `openssl genpkey -algorithm ed25519` writes it.
    public init(pem: String) throws {
        let key = try PKey.read(pem: pem, isPrivate: true)
        defer { EVP_PKEY_free(key) }
        try self.init(raw: try PKey.rawBytes(key, isPrivate: true))
    }

    /// PKCS#8 in PEM.
    public var pem: String {
        get throws {
            let key = try PKey.fromRaw(raw, isPrivate: true)
            defer { EVP_PKEY_free(key) }
            return try PKey.writePEM(key, isPrivate: true)
        }
    }

    /// The 64-byte signature over `message`.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        let key = try PKey.fromRaw(raw, isPrivate: true)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw CryptoError(call: "EVP_MD_CTX_new", reason: "out of memory") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw CryptoError.fromQueue("EVP_DigestSignInit") }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let ok = message.withUnsafeBytes { msg in
            EVP_DigestSign(context, &signature, &length, msg.baseAddress?.assumingMemoryBound(to: UInt8.self), msg.count)
        }
        guard ok == 1, length == 64 else { throw CryptoError.fromQueue("EVP_DigestSign") }
        return signature
    }
}

public enum SecureRandom {
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else { throw CryptoError.fromQueue("RAND_bytes") }
        return out
    }
}

/// EVP_PKEY plumbing shared by both key types. Every returned key is owned by the caller.
enum PKey {
    static func read(pem: String, isPrivate: Bool) throws -> OpaquePointer {
        let kind = isPrivate ? "private" : "public"
        let bytes = Array(pem.utf8)
        let key: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return isPrivate ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let key else {
            let call = isPrivate ? "PEM_read_bio_PrivateKey" : "PEM_read_bio_PUBKEY"
            let error = CryptoError.fromQueue(call)
            throw CryptoError(call: call, reason: "not a PEM \(kind) key (\(error.reason))")
        }
        guard EVP_PKEY_get_id(key) == exup_evp_pkey_ed25519() else {
            EVP_PKEY_free(key)
            throw CryptoError(call: "EVP_PKEY_get_id", reason: "the \(kind) key is not an Ed25519 key")
        }
        return key
    }

    static func fromRaw(_ raw: [UInt8], isPrivate: Bool) throws -> OpaquePointer {
        let key = raw.withUnsafeBufferPointer { buffer in
            isPrivate
                ? EVP_PKEY_new_raw_private_key(exup_evp_pkey_ed25519(), nil, buffer.baseAddress, buffer.count)
                : EVP_PKEY_new_raw_public_key(exup_evp_pkey_ed25519(), nil, buffer.baseAddress, buffer.count)
        }
        guard let key else {
            throw CryptoError.fromQueue(isPrivate ? "EVP_PKEY_new_raw_private_key" : "EVP_PKEY_new_raw_public_key")
        }
        return key
    }

    static func rawBytes(_ key: OpaquePointer, isPrivate: Bool) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        let ok = isPrivate ? EVP_PKEY_get_raw_private_key(key, &out, &length) : EVP_PKEY_get_raw_public_key(key, &out, &length)
        guard ok == 1, length == 32 else {
            throw CryptoError.fromQueue(isPrivate ? "EVP_PKEY_get_raw_private_key" : "EVP_PKEY_get_raw_public_key")
        }
        return out
    }

    static func writePEM(_ key: OpaquePointer, isPrivate: Bool) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError(call: "BIO_new", reason: "out of memory") }
        defer { BIO_free(bio) }
        let ok =
            isPrivate
            ? PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil)
            : PEM_write_bio_PUBKEY(bio, key)
        guard ok == 1 else { throw CryptoError.fromQueue(isPrivate ? "PEM_write_bio_PKCS8PrivateKey" : "PEM_write_bio_PUBKEY") }
        var data: UnsafeMutablePointer<CChar>?
        let length = exup_bio_mem_data(bio, &data)
        guard let data, length > 0 else { throw CryptoError(call: "BIO_get_mem_data", reason: "empty output") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
