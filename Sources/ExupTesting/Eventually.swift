import Foundation

/// Waits for something another process does (a simulator's poll, a daemon's cycle): checks `condition`
/// every `interval` until it holds, or throws after `seconds`. Tests wait for the event itself, never a
/// fixed time, so a loaded CI machine is slower but not wrong.
public func eventually(_ what: String, seconds: Double = 30, interval: Double = 0.05, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return }
        guard Date() < deadline else { throw TestFailure("\(what): not within \(seconds) s") }
        usleep(UInt32(interval * 1_000_000))
    }
}
