internal import COpenSSL

/// The digests TUF metadata names (`sha256`, `sha512`), through libcrypto.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha256, sha512

    public func digest(_ bytes: [UInt8]) -> Digest {
        switch self {
        case .sha256: return SHA256Hasher.hash(bytes)
        case .sha512:
            var out = [UInt8](repeating: 0, count: 64)
            var length: UInt32 = 0
            bytes.withUnsafeBufferPointer { input in
                _ = EVP_Digest(input.baseAddress, input.count, &out, &length, EVP_sha512(), nil)
            }
            return Digest(bytes: out)
        }
    }
}
