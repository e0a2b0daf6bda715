import ExupCrypto

/// One stored value as both engines can hold it. Booleans are integers 0/1 here (SQLite's form), so a
/// table read from either engine gives the same values and the same digest.
public enum StoredValue: Sendable, Hashable {
    case null, integer(Int64), text(String)
}

/// A whole table, rows in primary-key order: what `migrate-database` copies and compares.
public struct TableDump: Sendable {
    public var table: String
    public var columns: [String]
    public var rows: [[StoredValue]]

    public init(table: String, columns: [String], rows: [[StoredValue]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }

    /// The rows in one order whatever the engine's collation: by each value, text compared as UTF-8 bytes
    /// (PostgreSQL's ORDER BY follows the database's locale, SQLite's compares bytes).
    public var canonical: TableDump {
        func key(_ value: StoredValue) -> (Int, Int64, [UInt8]) {
            switch value {
            case .null: (0, 0, [])
            case .integer(let number): (1, number, [])
            case .text(let text): (2, 0, Array(text.utf8))
            }
        }
        let sorted = rows.sorted { a, b in
            for (x, y) in zip(a, b) {
                let (kx, ky) = (key(x), key(y))
                if kx.0 != ky.0 { return kx.0 < ky.0 }
                if kx.1 != ky.1 { return kx.1 < ky.1 }
                if kx.2 != ky.2 { return kx.2.lexicographicallyPrecedes(ky.2) }
            }
            return false
        }
        return TableDump(table: table, columns: columns, rows: sorted)
    }

    /// SHA-256 over the column names and every value, each length-prefixed (no two tables that differ
    /// give the same bytes), rows in their canonical order.
    public var digest: String { canonical.orderedDigest }

    private var orderedDigest: String {
        let hasher = SHA256Hasher()
        func field(_ tag: String, _ text: String) { hasher.update(Array("\(tag)\(text.utf8.count):\(text);".utf8)) }
        for column in columns { field("c", column) }
        for row in rows {
            hasher.update(Array("\n".utf8))
            for value in row {
                switch value {
                case .null: field("n", "")
                case .integer(let number): field("i", String(number))
                case .text(let text): field("t", text)
                }
            }
        }
        return hasher.finalize().hex
    }
}

/// The manager's tables in the order a copy must insert them (a group before its members), each with
/// the columns that order its rows.
public enum ManagerTables {
    public static let all: [(name: String, orderBy: [String])] = [
        ("enrolment_token", ["secret_hash"]),
        ("agent", ["name"]),
        ("approval_item", ["id"]),
        ("user", ["name"]),
        ("session", ["id"]),
        ("server_group", ["name"]),
        ("group_member", ["group_name", "server"]),
        ("schedule", ["id"]),
        ("manual_status", ["server", "module"]),
    ]
}

/// A store that can read and write whole tables (for moving the manager's data between engines).
public protocol TableCopying: Sendable {
    func dump(table: String, orderBy: [String]) async throws -> TableDump
}
