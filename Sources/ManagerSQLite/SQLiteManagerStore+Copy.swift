import GRDB
import Manager

/// Whole tables out, for moving the manager's data to PostgreSQL (`migrate-database`).
extension SQLiteManagerStore: TableCopying {
    public func dump(table: String, orderBy: [String]) async throws -> TableDump {
        try await read { db in
            let columns = try db.columns(in: table).map(\.name)
            let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let order = orderBy.map { "\"\($0)\"" }.joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: "SELECT \(quoted) FROM \"\(table)\" ORDER BY \(order)").map { row in
                try zip(columns.indices, row.databaseValues).map { index, value -> StoredValue in
                    switch value.storage {
                    case .null: return .null
                    case .int64(let number): return .integer(number)
                    case .string(let text): return .text(text)
                    case .double, .blob:
                        throw ManagerError.invalid(
                            "\(table).\(columns[index]) holds a value the manager never writes (a number with a fraction, or bytes)")
                    }
                }
            }
            return TableDump(table: table, columns: columns, rows: rows)
        }
    }
}
