import ExupCore

/// Markup whose interpolated strings are escaped unless they are `HTML` themselves: a server or package
/// name holding `<script>` shows as text. The pages are built from these, compiled into the binary.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var text: String

    init(raw text: String) { self.text = text }
    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    var description: String { text }

    static let empty = HTML(raw: "")

    /// The pieces one after the other.
    static func join(_ pieces: [HTML], separator: HTML = .empty) -> HTML {
        HTML(raw: pieces.map(\.text).joined(separator: separator.text))
    }

    /// `value` made safe for element content and quoted attribute values.
    static func escape(_ value: String) -> String { HTMLEscape.text(value) }

    struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
        mutating func appendInterpolation(_ value: Int) { text += String(value) }
        mutating func appendInterpolation(_ value: Int64) { text += String(value) }
        mutating func appendInterpolation(_ html: HTML) { text += html.text }
        mutating func appendInterpolation(_ pieces: [HTML]) { text += pieces.map(\.text).joined() }
        /// `checked`, `selected`, `disabled`…: the attribute when `on`, nothing otherwise.
        mutating func appendInterpolation(attribute name: StaticString, if on: Bool) { if on { text += " \(name)" } }
    }
}
