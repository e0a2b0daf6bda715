import Manager
import PostgresNIO

/// Whole tables in and out, for `migrate-database`: the copy goes into an empty database in one
/// transaction (all of it or nothing), and is read back for the counts and digests.
extension PostgresManagerStore: TableCopying {
    public func dump(table: String, orderBy: [String]) async throws -> TableDump {
        try await transaction { connection in
            let columns = try await columnTypes(table, on: connection).map(\.name)
            let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let order = orderBy.map { "\"\($0)\"" }.joined(separator: ", ")
            let rows = try await rows(PostgresQuery(unsafeSQL: "SELECT \(list) FROM \"\(table)\" ORDER BY \(order)"), on: connection)
            let values = try rows.map { row in
                try Self.storedValues(row)
            }
            return TableDump(table: table, columns: columns, rows: values)
        }
    }

    /// How many rows the manager's tables hold together (an import goes only into an empty database).
    public func storedRowCount() async throws -> Int {
        var total = 0
        for table in ManagerTables.all {
            let rows = try await rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \"\(table.name)\""), on: nil)
            total += Int(try rows[0].decode(Int64.self))
        }
        return total
    }

    /// Inserts every table's rows (columns by name, booleans from 0/1) and moves the id sequences past the
    /// copied ids, in one transaction; refuses a database that already holds manager data.
    public func importTables(_ dumps: [TableDump]) async throws {
        try await transaction { connection in
            for dump in dumps {
                let types = Dictionary(uniqueKeysWithValues: try await columnTypes(dump.table, on: connection).map { ($0.name, $0.type) })
                let existing = try await rows(PostgresQuery(unsafeSQL: "SELECT 1 FROM \"\(dump.table)\" LIMIT 1"), on: connection)
                guard existing.isEmpty else {
                    throw ManagerError(
                        kind: .conflict, code: "database-not-empty",
                        message: "the PostgreSQL database already holds manager data (table \(dump.table)); migrate into an empty database")
                }
                for column in dump.columns where types[column] == nil {
                    throw ManagerError.invalid("PostgreSQL's \(dump.table) has no column \(column): is the manager there older than this one?")
                }
                let list = dump.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let placeholders = dump.columns.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
                let sql = "INSERT INTO \"\(dump.table)\" (\(list)) VALUES (\(placeholders))"
                for row in dump.rows {
                    var bindings = PostgresBindings(capacity: row.count)
                    for (column, value) in zip(dump.columns, row) {
                        switch (value, types[column]) {
                        case (.null, _): bindings.appendNull()
                        case (.integer(let number), "boolean"): bindings.append(number != 0)
                        case (.integer(let number), _): bindings.append(number)
                        case (.text(let text), _): bindings.append(text)
                        }
                    }
                    try await execute(PostgresQuery(unsafeSQL: sql, binds: bindings), on: connection)
                }
            }
            // Read back inside the transaction: a copy that differs is rolled back, never left behind.
            for dump in dumps {
                let list = dump.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let copy = try await rows(PostgresQuery(unsafeSQL: "SELECT \(list) FROM \"\(dump.table)\""), on: connection).map { row in
                    try Self.storedValues(row)
                }
                let readBack = TableDump(table: dump.table, columns: dump.columns, rows: copy)
                guard readBack.rows.count == dump.rows.count, readBack.digest == dump.digest else {
                    throw ManagerError(
                        kind: .invalid, code: "copy-differs",
                        message: "the copy of \(dump.table) read back differs (\(readBack.rows.count) rows of \(dump.rows.count)); nothing was kept")
                }
            }
            for table in ["approval_item", "schedule"] {
                try await execute(
                    PostgresQuery(
                        unsafeSQL:
                            "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE((SELECT MAX(id) FROM \(table)), 0) + 1, false)"),
                    on: connection)
            }
        }
    }

    /// A row as the engines share it (booleans as 0/1, SQLite's form).
    static func storedValues(_ row: PostgresRow) throws -> [StoredValue] {
        try row.map { cell -> StoredValue in
            switch try ColumnValue(cell) {
            case .null: .null
            case .integer(let number): .integer(number)
            case .boolean(let flag): .integer(flag ? 1 : 0)
            case .text(let text): .text(text)
            }
        }
    }

    func columnTypes(_ table: String, on connection: PostgresConnection) async throws -> [(name: String, type: String)] {
        let rows = try await rows(
            """
            SELECT column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
            """, on: connection)
        guard !rows.isEmpty else { throw ManagerError.invalid("PostgreSQL has no table \(table)") }
        return try rows.map { try $0.decode((String, String).self) }
    }
}
