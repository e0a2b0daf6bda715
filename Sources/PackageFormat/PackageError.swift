import ExupXML
import ExupZip

/// Why a package was refused, in the order of package-format.md's checks: the first failure is named.
public enum PackageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Check 1: the archive rules.
    case archive(ZipError)
    /// Check 1: one of ExUpInfo.xml, ExUpHash.xml, ExUpHash.sig is not at the archive root.
    case missingRequiredMember(String)
    /// Check 2: ExUpHash.sig is not a base64 Ed25519 signature.
    case signatureMalformed(String)
    /// Check 2: no trusted vendor key verifies ExUpHash.sig.
    case noTrustedKey
    /// Check 3: ExUpHash.xml is not a valid manifest.
    case manifestInvalid(String)
    /// Check 3: a file member the manifest does not list.
    case unlistedMember(String)
    /// Check 3: a listed path that is not a file member.
    case listedButMissing(String)
    case sizeMismatch(path: String, listed: UInt64, actual: UInt64)
    case digestMismatch(path: String)
    /// Check 4: ExUpInfo.xml does not parse or breaks a field rule.
    case infoInvalid(String)
    /// Reading a member failed midway (I/O, corrupt deflate data).
    case unreadable(path: String, reason: String)

    /// The seed's "hash invalid" (checks 2 and 3): a package with one altered file cannot be used.
    public var isHashInvalid: Bool {
        switch self {
        case .signatureMalformed, .noTrustedKey, .manifestInvalid, .unlistedMember, .listedButMissing,
            .sizeMismatch, .digestMismatch:
            true
        default:
            false
        }
    }

    /// A stable code for programs (`--json`).
    public var code: String {
        switch self {
        case .archive: "archive-invalid"
        case .missingRequiredMember: "missing-member"
        case .signatureMalformed: "signature-malformed"
        case .noTrustedKey: "no-trusted-key"
        case .manifestInvalid: "manifest-invalid"
        case .unlistedMember: "unlisted-member"
        case .listedButMissing: "listed-but-missing"
        case .sizeMismatch: "size-mismatch"
        case .digestMismatch: "sha256-mismatch"
        case .infoInvalid: "info-invalid"
        case .unreadable: "unreadable"
        }
    }

    public var description: String {
        switch self {
        case .archive(let error): error.description
        case .missingRequiredMember(let name): "\(name): required member missing at the archive root"
        case .signatureMalformed(let reason): "signature: malformed ExUpHash.sig (\(reason))"
        case .noTrustedKey: "signature: no trusted key"
        case .manifestInvalid(let reason): "ExUpHash.xml: \(reason)"
        case .unlistedMember(let path): "\(path): not listed in ExUpHash.xml"
        case .listedButMissing(let path): "\(path): listed in ExUpHash.xml but not in the package"
        case .sizeMismatch(let path, let listed, let actual): "\(path): size mismatch (listed \(listed), actual \(actual))"
        case .digestMismatch(let path): "\(path): sha256 mismatch"
        case .infoInvalid(let reason): "ExUpInfo.xml: \(reason)"
        case .unreadable(let path, let reason): "\(path): cannot be read (\(reason))"
        }
    }
}
