/// Why an archive was refused. Each case names the rule of package-format.md it breaks.
public enum ZipError: Error, Sendable, Hashable, CustomStringConvertible {
    case io(path: String, call: String, errno: Int32)
    case notAZip(String)
    case encrypted(member: String)
    case unsupportedMethod(member: String, method: UInt16)
    case badName(member: String, reason: String)
    case notRegularFile(member: String, kind: String)
    case directoryWithContent(member: String)
    case duplicateName(member: String)
    case tooManyMembers(count: Int, limit: Int)
    case tooLarge(total: UInt64, limit: UInt64)
    case ratioTooHigh(member: String, ratio: UInt64, limit: UInt64)
    case localHeaderMismatch(member: String, field: String)
    case overlap(member: String, other: String)
    case outOfBounds(member: String)
    case corruptData(member: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let call, let errno): "\(path): \(call) failed: \(ZipError.errnoText(errno))"
        case .notAZip(let reason): "not a valid ZIP archive: \(reason)"
        case .encrypted(let m): "member \(m): encrypted members are not allowed"
        case .unsupportedMethod(let m, let method): "member \(m): compression method \(method) is not allowed (only stored and deflate)"
        case .badName(let m, let reason): "member \(m): \(reason)"
        case .notRegularFile(let m, let kind): "member \(m): \(kind) members are not allowed"
        case .directoryWithContent(let m): "member \(m): a directory member must be empty"
        case .duplicateName(let m): "member \(m): appears twice in the archive"
        case .tooManyMembers(let count, let limit): "archive has \(count) members, over the limit of \(limit)"
        case .tooLarge(let total, let limit): "archive expands to \(total) bytes, over the limit of \(limit)"
        case .ratioTooHigh(let m, let ratio, let limit): "member \(m): compression ratio \(ratio):1 exceeds \(limit):1"
        case .localHeaderMismatch(let m, let field): "member \(m): local header disagrees with the central directory (\(field))"
        case .overlap(let m, let other): "member \(m): its data overlaps member \(other)"
        case .outOfBounds(let m): "member \(m): its data lies outside the archive"
        case .corruptData(let m, let reason): "member \(m): \(reason)"
        }
    }

    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
