import Synchronization

/// A clock a test moves by hand (seconds since 1970), for code that takes its clock as a closure.
public final class ManualClock: Sendable {
    let value: Mutex<Int64>
    public init(_ seconds: Int64) { value = Mutex(seconds) }
    public var seconds: Int64 { value.withLock { $0 } }
    public func set(_ seconds: Int64) { value.withLock { $0 = seconds } }
}
