import ExupFormats

/// The manager's API as one OpenAPI 3.1 document: `openapi.yaml` at the repository's root is the source,
/// served as JSON at `GET /api/v1/openapi.json` (`OpenAPIDocument+JSON.swift` is generated from it by
/// `make openapi`; `make format-check` fails when the two differ). The server also reads its paths and
/// methods from it, to answer 405 with `Allow` for a method a documented path does not have.
enum OpenAPIDocument {
    static let bytes: [UInt8] = Array(json.utf8)

    /// The document, parsed once for what the server reads from it (methods, the gate's rules).
    static let parsed: JSON? = try? JSON.parse(bytes)

    /// Each documented path template (`/api/v1/groups/{name}`) with its methods, upper-case.
    static let operations: [(template: [Substring], methods: Set<String>)] = {
        guard let paths = parsed?["paths"]?.object else { return [] }
        let verbs: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return paths.map { path, item in
            (path.split(separator: "/"), Set((item.object ?? [:]).keys.filter(verbs.contains).map { $0.uppercased() }))
        }
    }()

    /// The methods the document gives the path that `path` names (nil: no documented path matches).
    /// A `{path}` parameter (the TUF routes) takes the rest of the path; any other parameter one segment.
    /// As in the router, a literal segment wins over a parameter: `/packages/delete` is not `/packages/{id}`.
    static func methods(for path: String) -> Set<String>? {
        let segments = path.split(separator: "/")
        let matching = operations.filter { matches(segments, $0.template) }
        let literals: ([Substring]) -> [Bool] = { $0.map { !$0.hasPrefix("{") } }
        guard let best = matching.map({ literals($0.template) }).max(by: { $0.lexicographicallyPrecedes($1) { !$0 && $1 } }) else { return nil }
        return matching.filter { literals($0.template) == best }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
    }

    private static func matches(_ segments: [Substring], _ template: [Substring]) -> Bool {
        for (index, part) in template.enumerated() {
            if part == "{path}" { return segments.count > index }
            guard index < segments.count else { return false }
            if part.hasPrefix("{") { continue }
            if part != segments[index] { return false }
        }
        return segments.count == template.count
    }
}
