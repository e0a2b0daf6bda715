import FoundationEssentials
import PostgresNIO

/// A stored column's value, read once from PostgreSQL's binary form.
enum ColumnValue: Sendable {
    case null, integer(Int64), boolean(Bool), text(String)

    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else { self = .null; return }
        switch cell.dataType {
        case .bool: self = .boolean(try cell.decode(Bool.self))
        case .int2, .int4, .int8: self = .integer(try cell.decode(Int64.self))
        default: self = .text(try cell.decode(String.self))
        }
    }
}

/// Decodes a stored record (the same `Codable` types the SQLite store reads) from one row: columns by their
/// coding keys, nested values (a report, approval options) from their JSON text, as GRDB does; an
/// unknown enum value is an error, not a guess.
struct RowDecoder: Decoder {
    let columns: [String: ColumnValue]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ row: PostgresRow) throws {
        var columns: [String: ColumnValue] = [:]
        for cell in row { columns[cell.columnName] = try ColumnValue(cell) }
        self.columns = columns
    }

    static func decode<T: Decodable>(_ type: T.Type, from row: PostgresRow) throws -> T { try T(from: RowDecoder(row)) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(columns: columns))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw RowDecodingError.notAColumn("a list") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw RowDecodingError.notAColumn("a single value") }
}

enum RowDecodingError: Error, CustomStringConvertible {
    case notAColumn(String)
    case mismatch(column: String, expected: String)
    var description: String {
        switch self {
        case .notAColumn(let what): "a stored row is not \(what)"
        case .mismatch(let column, let expected): "the stored column \(column) is not \(expected)"
        }
    }
}

private struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let columns: [String: ColumnValue]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { columns.keys.compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { columns[key.stringValue] != nil }
    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = columns[key.stringValue] ?? .null { return true }
        return false
    }

    func value(_ key: Key) throws -> ColumnValue {
        guard let value = columns[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no column \(key.stringValue)"))
        }
        return value
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        switch try value(key) {
        case .boolean(let value): value
        case .integer(let value): value != 0
        default: throw RowDecodingError.mismatch(column: key.stringValue, expected: "a boolean")
        }
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        guard case .text(let value) = try value(key) else { throw RowDecodingError.mismatch(column: key.stringValue, expected: "text") }
        return value
    }
    func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        guard case .integer(let value) = try value(key), let exact = T(exactly: value) else {
            throw RowDecodingError.mismatch(column: key.stringValue, expected: "an integer of \(T.self)")
        }
        return exact
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        guard case .integer(let value) = try value(key) else { throw RowDecodingError.mismatch(column: key.stringValue, expected: "a number") }
        return Double(value)
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, forKey: key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    /// A raw-value enum reads its column as a single value; anything else is JSON text in the column.
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let column = try value(key)
        do {
            return try T(from: ColumnDecoder(column: key.stringValue, value: column))
        } catch RowDecodingError.notAColumn {
            guard case .text(let json) = column else { throw RowDecodingError.mismatch(column: key.stringValue, expected: "JSON text") }
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw RowDecodingError.notAColumn("nested")
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw RowDecodingError.notAColumn("nested") }
    func superDecoder() throws -> any Decoder { throw RowDecodingError.notAColumn("nested") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw RowDecodingError.notAColumn("nested") }
}

/// One column as a single value (for raw-value enums); a keyed or unkeyed read means JSON text.
private struct ColumnDecoder: Decoder, SingleValueDecodingContainer {
    let column: String
    let value: ColumnValue
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw RowDecodingError.notAColumn("keyed") }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw RowDecodingError.notAColumn("a list") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .boolean(let value) = value else { throw RowDecodingError.mismatch(column: column, expected: "a boolean") }
        return value
    }
    func decode(_ type: String.Type) throws -> String {
        guard case .text(let value) = value else { throw RowDecodingError.mismatch(column: column, expected: "text") }
        return value
    }
    func integer<T: FixedWidthInteger>() throws -> T {
        guard case .integer(let value) = value, let exact = T(exactly: value) else {
            throw RowDecodingError.mismatch(column: column, expected: "an integer of \(T.self)")
        }
        return exact
    }
    func decode(_ type: Double.Type) throws -> Double { Double(try integer() as Int64) }
    func decode(_ type: Float.Type) throws -> Float { Float(try integer() as Int64) }
    func decode(_ type: Int.Type) throws -> Int { try integer() }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}
