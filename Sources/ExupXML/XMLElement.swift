/// A parsed XML element: name, attributes, direct text and child elements. Comments and processing
/// instructions are dropped; namespaces are refused by the parser.
public struct XMLNode: Sendable, Hashable {
    public var name: String
    public var attributes: [String: String]
    /// The concatenated character data directly inside this element.
    public var text: String
    public var children: [XMLNode]
    /// 1-based line of the start tag, for messages.
    public var line: Int

    public init(name: String, attributes: [String: String] = [:], text: String = "", children: [XMLNode] = [], line: Int = 0) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
        self.line = line
    }

    public func children(named name: String) -> [XMLNode] { children.filter { $0.name == name } }
    public func child(named name: String) -> XMLNode? { children.first { $0.name == name } }
}

/// Why a document was refused, worded for the operator.
public enum XMLError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
    case doctypeNotAllowed
    case malformed(line: Int, reason: String)
    case notUTF8(encoding: String)
    case namespaceNotAllowed(element: String)
    case tooDeep(limit: Int)

    public var description: String {
        switch self {
        case .tooLarge(let size, let limit): "document is \(size) bytes, over the \(limit)-byte limit"
        case .doctypeNotAllowed: "DTD not allowed"
        case .malformed(let line, let reason): "malformed XML at line \(line): \(reason)"
        case .notUTF8(let encoding): "document encoding \(encoding) is not UTF-8"
        case .namespaceNotAllowed(let element): "namespaces are not allowed (element \(element))"
        case .tooDeep(let limit): "elements nested deeper than \(limit)"
        }
    }
}
