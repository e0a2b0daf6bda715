/// Why metadata or a target was refused, in words an operator understands.
public enum TUFError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(role: String, reason: String)
    case wrongType(expected: String, got: String)
    case unsupportedSpecVersion(role: String, version: String)
    case signatureThreshold(role: String, version: Int, valid: Int, threshold: Int)
    case rollback(role: String, new: Int, trusted: Int)
    case versionMismatch(role: String, expected: Int, got: Int)
    case rootVersion(expected: Int, got: Int)
    case expired(role: String, expires: String)
    case lengthOrHash(name: String, reason: String)
    case missingMeta(role: String)
    case tooLarge(url: String, limit: Int)
    case download(url: String, reason: String)
    case notFound(url: String, status: Int)
    case targetNotFound(path: String)
    case io(path: String, reason: String)
    case state(String)

    public var description: String {
        switch self {
        case .malformed(let role, let reason): "\(role): malformed metadata: \(reason)"
        case .wrongType(let expected, let got): "expected \(expected) metadata, got \"\(got)\": refused"
        case .unsupportedSpecVersion(let role, let v): "\(role): spec_version \(v) is not a supported TUF 1.x version"
        case .signatureThreshold(let role, let version, let valid, let threshold):
            "\(role) version \(version) has \(valid) valid signature\(valid == 1 ? "" : "s") of the \(threshold) required: refused"
        case .rollback(let role, let new, let trusted): "\(role) version \(new) is older than trusted \(trusted): rollback refused"
        case .versionMismatch(let role, let expected, let got):
            "\(role) version \(got) is not the version \(expected) that the trusted metadata names: mix-and-match refused"
        case .rootVersion(let expected, let got): "root version \(got) is not the expected next version \(expected): refused"
        case .expired(let role, let expires): "\(role) expired at \(expires): refused (freeze attack or stale repository)"
        case .lengthOrHash(let name, let reason): "\(name): \(reason): refused"
        case .missingMeta(let role): "\(role) is not listed in the trusted snapshot: refused"
        case .tooLarge(let url, let limit): "\(url): more than \(limit) bytes: endless data refused"
        case .download(let url, let reason): "\(url): download failed: \(reason)"
        case .notFound(let url, let status): "\(url): not found (HTTP \(status))"
        case .targetNotFound(let path): "\(path): no trusted metadata lists this target"
        case .io(let path, let reason): "\(path): \(reason)"
        case .state(let reason): reason
        }
    }
}
