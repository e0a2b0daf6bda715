import Manager
import PostgresNIO

/// What went wrong with PostgreSQL, in words an operator can act on. PSQLError's own description hides
/// the server's message (it may hold data); the server's message and SQLSTATE say what and why, and
/// never contain the password.
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String

    /// Another transaction got there first: running this one again from the start is correct
    /// (serialization failure, deadlock, or a unique key a concurrent transaction just took).
    static func isConflict(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return ["40001", "40P01", "23505"].contains(state)
    }

    static func describe(_ error: any Error, doing what: String) -> any Error {
        guard let error = error as? PSQLError else {
            // The pool's own errors (it could not connect, its circuit breaker tripped) carry no server reason.
            if String(describing: type(of: error)).contains("ConnectionPoolError") {
                return PostgresStoreError(description: "cannot reach PostgreSQL for \(what): no connection could be made")
            }
            return error
        }
        if let server = error.serverInfo {
            let message = server[.message] ?? "an error"
            let detail = server[.detail].map { " (\($0))" } ?? ""
            return PostgresStoreError(description: "PostgreSQL refused \(what): \(message)\(detail) [SQLSTATE \(server[.sqlState] ?? "?")]")
        }
        let cause = error.underlying.map { "\($0)" } ?? "\(error.code)"
        return PostgresStoreError(description: "cannot reach PostgreSQL for \(what): \(cause)")
    }
}
