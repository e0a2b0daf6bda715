/// A command that ran and did not succeed: one line for the operator, the exit status, and a stable code
/// for `--json` (`{"error": {"code": …, "message": …}}`). Usage mistakes are `ValidationError`s instead.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var status: ExitStatus
    public var code: String

    public init(_ message: String, code: String = "failed", status: ExitStatus = .failure) {
        self.message = message
        self.code = code
        self.status = status
    }

    /// Some of several things were done (exit status 2), the message says which were not.
    public static func partial(_ message: String) -> CommandFailure { CommandFailure(message, code: "partial", status: .partial) }

    public var description: String { message }
}
