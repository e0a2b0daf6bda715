/// Why a manager operation was refused; `kind` maps onto HTTP, `code` is what code and scripts branch on.
public struct ManagerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case unauthorised, notFound, conflict, invalid, throttled }
    public var kind: Kind
    public var code: String
    public var message: String
    public var description: String { message }

    public init(kind: Kind, code: String, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public static func conflict(_ code: String, _ message: String) -> ManagerError { ManagerError(kind: .conflict, code: code, message: message) }
    public static func notFound(_ message: String) -> ManagerError { ManagerError(kind: .notFound, code: "not-found", message: message) }
    public static func invalid(_ message: String) -> ManagerError { ManagerError(kind: .invalid, code: "invalid", message: message) }
}
