internal import COpenSSL

/// A PEM SubjectPublicKeyInfo key of any type OpenSSL reads (ECDSA, RSA, Ed25519), for verifying
/// signatures made by other TUF implementations. Owns its EVP_PKEY.
public final class PEMPublicKey {
    public enum Padding: Sendable { case none, pkcs1, pss }

    private let key: OpaquePointer

    public init(pem: String) throws {
        let bytes = Array(pem.utf8)
        let key: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let key else { throw CryptoError.fromQueue("PEM_read_bio_PUBKEY") }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    public var isRSA: Bool { EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA }
    public var isEC: Bool { EVP_PKEY_get_base_id(key) == EVP_PKEY_EC }

    /// Verifies `signature` over `message` hashed with `digest` ("sha224", "sha256", "sha384", "sha512").
    /// PSS accepts any salt length, as securesystemslib's verifier does.
    public func verify(signature: [UInt8], message: [UInt8], digest: String, padding: Padding) -> Bool {
        let md: OpaquePointer?
        switch digest {
        case "sha224": md = EVP_sha224()
        case "sha256": md = EVP_sha256()
        case "sha384": md = EVP_sha384()
        case "sha512": md = EVP_sha512()
        default: return false
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context); ERR_clear_error() }
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit(context, &keyContext, md, nil, key) == 1 else { return false }
        switch padding {
        case .pss:
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_AUTO) == 1
            else { return false }
        case .pkcs1:
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1 else { return false }
        case .none:
            break
        }
        return signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, msg.baseAddress, msg.count) == 1
            }
        }
    }
}
