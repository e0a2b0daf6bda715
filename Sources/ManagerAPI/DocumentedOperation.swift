import ExupFormats
import ManagerHTTP

/// What the server reads about one generated operation from the document: the permission its credential
/// needs (`x-exup-permission`) and the rule for its JSON body (the top-level fields its schema allows,
/// `x-exup-body-limit`). OperationGate applies both before the generated code reads the body.
struct DocumentedOperation: Sendable {
    enum Access: Sendable, Equatable {
        /// No credential (log in).
        case open
        case permission(Permission)
        /// A user session only (log out).
        case session
        /// An enrolled agent's own credential only.
        case agent
        /// The repository password (another manager) or the administrator token.
        case repositoryOrAdministrator
        /// The permission, or the repository password (another manager asking for "download now").
        case permissionOrRepository(Permission)
    }

    struct BodyRule: Sendable {
        /// Nil when the schema admits any top-level field.
        var allowed: Set<String>?
        var limit: Int
        /// Top-level fields that are times (`format: date-time`): checked by name, before decoding.
        var times: Set<String> = []
        /// For a body of several forms (`oneOf`): each with its required fields, to say what fits.
        var forms: String?
    }

    /// A path or query parameter whose value the document constrains: checked by OperationGate so the
    /// answer names the parameter and what it takes.
    struct ParameterRule: Sendable {
        enum Kind: Sendable, Equatable {
            case wholeNumber
            case choice([String])
        }
        var name: String
        var inPath: Bool
        var kind: Kind
    }

    var id: String
    var access: Access
    var body: BodyRule?
    var parameters: [ParameterRule] = []

    /// Every operation the document does not mark hand-routed, by "METHOD /template" (Hummingbird's
    /// endpoint path uses the document's `{name}` form).
    static let byRoute: [String: DocumentedOperation] = {
        guard let document = OpenAPIDocument.parsed, let paths = document["paths"]?.object else { return [:] }
        var found: [String: DocumentedOperation] = [:]
        for (path, item) in paths {
            for (method, operation) in item.object ?? [:] where operation["operationId"] != nil {
                guard operation["x-exup-hand-routed"]?.bool != true, let id = operation["operationId"]?.string,
                    let access = access(operation["x-exup-permission"]?.string)
                else { continue }
                let limit = operation["x-exup-body-limit"]?.int.map(Int.init) ?? StrictJSON.limit
                let schema = operation["requestBody"]?["content"]?["application/json"]?["schema"]
                // A body the gate cannot read the rule of (another media type, a referenced body) leaves the
                // operation out, so the start-up check fails instead of a body going through unchecked.
                if operation["requestBody"] != nil && schema == nil { continue }
                let body = schema.map {
                    BodyRule(
                        allowed: allowedFields(of: $0, in: document), limit: limit, times: timeFields(of: $0, in: document),
                        forms: forms(of: $0, in: document))
                }
                let declared = (item["parameters"]?.array ?? []) + (operation["parameters"]?.array ?? [])
                found["\(method.uppercased()) \(path)"] = DocumentedOperation(
                    id: id, access: access, body: body, parameters: declared.compactMap { parameterRule($0, in: document) })
            }
        }
        return found
    }()

    /// The operations the document does not hand-route, counted without reading their rules: each must
    /// have a known `x-exup-permission`, and each with a body a JSON body rule (else byRoute lacks it).
    static let generatedCount: Int = {
        guard let paths = OpenAPIDocument.parsed?["paths"]?.object else { return -1 }
        return paths.values.reduce(0) { count, item in
            count + (item.object ?? [:]).values.filter { $0["operationId"] != nil && $0["x-exup-hand-routed"]?.bool != true }.count
        }
    }()

    static func access(_ text: String?) -> Access? {
        switch text {
        case "none": .open
        case "session": .session
        case "agent": .agent
        case "repository-or-administrator": .repositoryOrAdministrator
        case "read-or-repository": .permissionOrRepository(.read)
        case "apply-or-repository": .permissionOrRepository(.apply)
        case let name?: Permission(rawValue: name).map(Access.permission)
        case nil: nil
        }
    }

    /// The properties of an object schema that refuses others (`additionalProperties: false`); for a
    /// `oneOf`, those of all its alternatives. Nil when some field outside them would be allowed.
    static func allowedFields(of schema: JSON, in document: JSON) -> Set<String>? {
        let resolved = resolve(schema, in: document)
        if let alternatives = resolved["oneOf"]?.array {
            var union = Set<String>()
            for alternative in alternatives {
                guard let fields = allowedFields(of: alternative, in: document) else { return nil }
                union.formUnion(fields)
            }
            return union
        }
        guard resolved["additionalProperties"]?.bool == false else { return nil }
        return Set(resolved["properties"]?.object?.keys.map { $0 } ?? [])
    }

    /// The top-level properties given as `format: date-time` (directly, by reference, or as the
    /// non-null alternative of an `anyOf`), in the schema or any of its `oneOf` alternatives.
    static func timeFields(of schema: JSON, in document: JSON) -> Set<String> {
        let resolved = resolve(schema, in: document)
        if let alternatives = resolved["oneOf"]?.array {
            return alternatives.reduce(into: Set<String>()) { $0.formUnion(timeFields(of: $1, in: document)) }
        }
        func isTime(_ property: JSON) -> Bool {
            let target = resolve(property, in: document)
            if target["format"]?.string == "date-time" { return true }
            return (target["anyOf"]?.array ?? []).contains { isTime($0) }
        }
        return Set((resolved["properties"]?.object ?? [:]).filter { isTime($0.value) }.keys)
    }

    /// "ServerScheduleRequest (server, startAt required) or GroupScheduleRequest (group, startAt required)".
    static func forms(of schema: JSON, in document: JSON) -> String? {
        guard let alternatives = resolve(schema, in: document)["oneOf"]?.array else { return nil }
        return alternatives.map { alternative in
            let name = alternative["$ref"]?.string?.split(separator: "/").last.map(String.init) ?? "an object"
            let required = resolve(alternative, in: document)["required"]?.array?.compactMap(\.string) ?? []
            return required.isEmpty ? name : "\(name) (\(required.joined(separator: ", ")) required)"
        }.joined(separator: " or ")
    }

    static func parameterRule(_ parameter: JSON, in document: JSON) -> ParameterRule? {
        guard let name = parameter["name"]?.string, let location = parameter["in"]?.string, let schema = parameter["schema"] else { return nil }
        let resolved = resolve(schema, in: document)
        let kind: ParameterRule.Kind
        if let choices = resolved["enum"]?.array?.compactMap(\.string) {
            kind = .choice(choices)
        } else if resolved["type"]?.string == "integer" {
            kind = .wholeNumber
        } else {
            return nil
        }
        return ParameterRule(name: name, inPath: location == "path", kind: kind)
    }

    static func resolve(_ schema: JSON, in document: JSON) -> JSON {
        guard let reference = schema["$ref"]?.string, reference.hasPrefix("#/components/schemas/") else { return schema }
        return document["components"]?["schemas"]?[String(reference.dropFirst("#/components/schemas/".count))] ?? schema
    }
}
