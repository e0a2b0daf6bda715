/// Something the daemon's log must say when it happens (an enrolment, an item starting or ending, a
/// reboot decision), handed to whoever runs the cycle: the daemon logs it, a one-off CLI run ignores it.
public struct AgentEvent: Sendable {
    public enum Level: Sendable { case info, notice, warning, error }
    public var level: Level
    public var message: String
    public var fields: [String: String]

    public init(_ level: Level, _ message: String, _ fields: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.fields = fields
    }
}

public typealias AgentEventSink = @Sendable (AgentEvent) -> Void
