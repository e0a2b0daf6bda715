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
        /// The permission, or the repository password (another manager asking for "download now").
        case permissionOrRepository(Permission)
    }

    struct BodyRule: Sendable {
        /// Nil when the schema admits any top-level field.
        var allowed: Set<String>?
        var limit: Int
    }

    var id: String
    var access: Access
    var body: BodyRule?

    /// Every operation the document does not mark hand-routed, by "METHOD /template" (Hummingbird's
    /// endpoint path uses the document's `{name}` form).
    static let byRoute: [String: DocumentedOperation] = {
        guard let document = try? JSON.parse(OpenAPIDocument.bytes), let paths = document["paths"]?.object else { return [:] }
        var found: [String: DocumentedOperation] = [:]
        for (path, item) in paths {
            for (method, operation) in item.object ?? [:] where operation["operationId"] != nil {
                guard operation["x-exup-hand-routed"]?.bool != true, let id = operation["operationId"]?.string,
                    let access = access(operation["x-exup-permission"]?.string)
                else { continue }
                let limit = operation["x-exup-body-limit"]?.int.map(Int.init) ?? StrictJSON.limit
                let schema = operation["requestBody"]?["content"]?["application/json"]?["schema"]
                let body = schema.map { BodyRule(allowed: allowedFields(of: $0, in: document), limit: limit) }
                found["\(method.uppercased()) \(path)"] = DocumentedOperation(id: id, access: access, body: body)
            }
        }
        return found
    }()

    static func access(_ text: String?) -> Access? {
        switch text {
        case "none": .open
        case "session": .session
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

    static func resolve(_ schema: JSON, in document: JSON) -> JSON {
        guard let reference = schema["$ref"]?.string, reference.hasPrefix("#/components/schemas/") else { return schema }
        return document["components"]?["schemas"]?[String(reference.dropFirst("#/components/schemas/".count))] ?? schema
    }
}
