import ExupFormats

/// Takes known fields out of a JSON object one by one; what is left is the object's unrecognised
/// fields, kept so that re-serialised metadata still carries (and still verifies over) them.
struct Fields {
    let role: String
    let context: String
    var rest: [String: JSON]

    init(_ json: JSON, role: String, context: String) throws(TUFError) {
        guard case .object(let fields) = json else { throw .malformed(role: role, reason: "\(context) is not a JSON object") }
        self.role = role
        self.context = context
        rest = fields
    }

    func fail(_ reason: String) -> TUFError { .malformed(role: role, reason: "\(context): \(reason)") }

    mutating func take(_ key: String) throws(TUFError) -> JSON {
        guard let value = rest.removeValue(forKey: key) else { throw fail("missing \"\(key)\"") }
        return value
    }

    mutating func string(_ key: String) throws(TUFError) -> String {
        guard let s = try take(key).string else { throw fail("\"\(key)\" must be a string") }
        return s
    }

    mutating func int(_ key: String) throws(TUFError) -> Int {
        guard let i = try take(key).int else { throw fail("\"\(key)\" must be an integer") }
        return Int(i)
    }

    mutating func bool(_ key: String) throws(TUFError) -> Bool {
        guard let b = try take(key).bool else { throw fail("\"\(key)\" must be true or false") }
        return b
    }

    mutating func object(_ key: String) throws(TUFError) -> [String: JSON] {
        guard let o = try take(key).object else { throw fail("\"\(key)\" must be an object") }
        return o
    }

    mutating func stringArray(_ key: String) throws(TUFError) -> [String] {
        guard let items = try take(key).array else { throw fail("\"\(key)\" must be an array") }
        var out: [String] = []
        for item in items {
            guard let s = item.string else { throw fail("\"\(key)\" must hold strings") }
            out.append(s)
        }
        return out
    }

    mutating func optional(_ key: String) -> JSON? { rest.removeValue(forKey: key) }
}

extension Dictionary where Key == String, Value == JSON {
    /// `self` with `extra` added, the typed fields winning.
    func merging(unrecognized extra: [String: JSON]) -> [String: JSON] {
        merging(extra) { known, _ in known }
    }
}
