import ExupTesting
import Foundation
import Manager
import ManagerPostgres
import ManagerSQLite
import Synchronization

/// The manager's two engines, so a suite runs the same cases on each: SQLite in the test's directory,
/// PostgreSQL in the process's throwaway cluster with a database per directory (opening the same
/// directory again, as a restarted manager does, opens the same database).
enum StoreEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgresql

    var description: String { rawValue }

    /// The engine the suites that start whole services use: `EXUP_TEST_DATABASE` (make test runs them
    /// with each).
    static var current: StoreEngine {
        ProcessInfo.processInfo.environment["EXUP_TEST_DATABASE"].flatMap(StoreEngine.init(rawValue:)) ?? .sqlite
    }

    func open(in directory: TemporaryDirectory) async throws -> any ManagerDatabase {
        try await open(at: directory.path)
    }

    func open(at directory: String) async throws -> any ManagerDatabase {
        switch self {
        case .sqlite:
            return try SQLiteManagerStore(path: directory + "/manager.sqlite")
        case .postgresql:
            let url = try Self.databases.withLock { databases in
                if let url = databases[directory] { return url }
                let url = try PostgresCluster.shared().newDatabase()
                databases[directory] = url
                return url
            }
            return try await PostgresManagerStore(settings: PostgresSettings(url: url))
        }
    }

    private static let databases = Mutex<[String: String]>([:])
}
