internal import ExupFormats
package import FoundationEssentials
package import OpenAPIRuntime

/// The API's times, `YYYY-MM-DDTHH:MM:SSZ` exactly (a real calendar day, UTC, whole seconds), for the
/// generated server and client: ISO 8601 at large would also take offsets, fractions and dates such as
/// February 30th (moved on to March), which the API has always refused.
package struct UTCDateTranscoder: DateTranscoder {
    package init() {}

    package func encode(_ date: Date) throws -> String {
        UTCTime(seconds: Int64(date.timeIntervalSince1970.rounded(.down))).description
    }

    package func decode(_ text: String) throws -> Date {
        guard let time = UTCTime(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "\(text) is not a time like 2026-12-01T02:00:00Z (UTC, a real calendar day)"))
        }
        return Date(timeIntervalSince1970: TimeInterval(time.seconds))
    }
}

extension Configuration {
    /// What the manager and the exup CLI use: the API's exact UTC times, and JSON written as the
    /// hand-routed answers write it (sorted keys, `/` not escaped).
    package static var exup: Configuration {
        Configuration(dateTranscoder: UTCDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
