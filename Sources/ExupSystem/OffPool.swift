import Dispatch

/// Runs blocking work (libcurl transfers, file I/O, an apply that takes an hour) on a thread of its own,
/// so Swift's cooperative pool (as many threads as cores) never waits on it.
public enum OffPool {
    public static func run<T: Sendable>(_ label: String = "exup.blocking", _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: label).async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The same, for work that cannot fail.
    public static func compute<T: Sendable>(_ label: String = "exup.blocking", _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue(label: label).async { continuation.resume(returning: body()) }
        }
    }
}
