import FoundationEssentials

/// One JSON document on standard output, keys sorted so output is stable (every `--json`); times as the
/// API writes them (`2026-12-07T21:50:02Z`), not as numbers.
public enum JSONOutput {
    public static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
