import ArgumentParser
import ExupCommandLine
import FoundationEssentials
import Transport

/// Where the manager is and the credential to use: `--server`/`--token`, else EXUP_SERVER/EXUP_TOKEN.
struct ServerOptions: ParsableArguments {
    @Option(help: "The manager's URL (default: $EXUP_SERVER, else the one exup login saved, else http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "The API token (default: $EXUP_TOKEN, else the session exup login saved). The administrator token is DATA/admin.token.")
    var token: String?

    @Option(help: "PEM CA bundle to trust for an HTTPS manager.")
    var caFile: String?

    func client() throws -> ManagerClient { try Self.client(server: server, token: token, caFile: caFile) }

    /// `--token`, else $EXUP_TOKEN, else the session `exup login` saved (for its server).
    static func client(server: String?, token: String?, caFile: String?) throws -> ManagerClient {
        let environment = ProcessInfo.processInfo.environment
        let session = SavedSession.load()
        let url = server ?? environment["EXUP_SERVER"] ?? session?.server ?? "http://127.0.0.1:8080"
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let saved = session.flatMap { $0.server == base ? $0.token : nil }
        guard let token = token ?? environment["EXUP_TOKEN"].flatMap({ $0.isEmpty ? nil : $0 }) ?? saved, !token.isEmpty else {
            if let session, session.server != base {
                throw CommandFailure(
                    "your exup login session is for \(session.server), not \(base): run exup login --server \(base) --username NAME, "
                        + "or pass --token / set EXUP_TOKEN", code: "no-credential")
            }
            throw CommandFailure(
                "no credential: run exup login --username NAME, or pass --token / set EXUP_TOKEN (an automation token is DATA/admin.token)",
                code: "no-credential")
        }
        return ManagerClient(base: base, token: token, caFile: caFile)
    }

    /// The manager's URL as `client()` would use it, without needing a credential (for `exup login`).
    var baseURL: String {
        let url = server ?? ProcessInfo.processInfo.environment["EXUP_SERVER"] ?? "http://127.0.0.1:8080"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// The manager's JSON API over the project's libcurl client.
struct ManagerClient {
    let base: String
    let http: HTTPClient

    init(base: String, token: String, caFile: String?) {
        self.base = base
        var options = HTTPClient.Options()
        options.bearerToken = token
        options.caFile = caFile
        options.userAgent = "exup-cli"
        http = HTTPClient(options: options)
    }

    /// GET, POST or DELETE with an optional JSON body; decodes the answer or throws the server's message.
    func call<T: Decodable>(
        _ method: String, _ path: String, body: (any Encodable)? = nil, as type: T.Type,
        accept: Set<Int> = [200, 201, 202]
    ) throws -> T {
        let response = try send(method, path, body: body)
        try check(response, accept: accept)
        return try decode(type, response)
    }

    func send(_ method: String, _ path: String, body: (any Encodable)? = nil) throws -> HTTPClient.Response {
        do {
            if let body {
                return try http.send(method, base + path, body: Array(try JSONEncoder().encode(body)))
            }
            if method == "GET" { return try http.get(base + path, maxBytes: 300 << 20) }
            return try http.send(method, base + path, body: [])
        } catch let error as HTTPError {
            throw CommandFailure(
                "cannot reach the manager at \(base) (\(Self.reason(error))): is it running, and is --server / EXUP_SERVER right?",
                code: "unreachable")
        }
    }

    func upload(_ path: String, file: String, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> HTTPClient.Response {
        do { return try http.post(base + path, file: file, contentType: "application/zip", progress: progress) } catch {
            throw CommandFailure("cannot upload \(file) to the manager at \(base) (\(Self.reason(error)))", code: "unreachable")
        }
    }

    func check(_ response: HTTPClient.Response, accept: Set<Int>) throws {
        guard !accept.contains(response.status) else { return }
        throw CommandFailure(ManagerClient.explain(response, base: base), code: ManagerClient.code(response) ?? "http-\(response.status)")
    }

    /// The API's error code (`not-found`, `refused`, …) for --json, when the answer has one.
    static func code(_ response: HTTPClient.Response) -> String? {
        struct Envelope: Decodable { struct E: Decodable { var code: String? }; var error: E }
        return (try? JSONDecoder().decode(Envelope.self, from: Data(response.body)))?.error.code
    }

    /// libcurl's reason without the URL it repeats ("couldn't connect to server").
    static func reason(_ error: HTTPError) -> String {
        let text = "\(error)"
        let last = text.split(separator: ":").last.map { String($0.drop { $0 == " " }) } ?? text
        return last.prefix(1).lowercased() + last.dropFirst()
    }

    /// The manager's refusal in the CLI's words: its message with API field names as option names, and
    /// what to do about a wrong credential.
    static func explain(_ response: HTTPClient.Response, base: String) -> String {
        let message = CLIWording.options(in: ManagerClient.message(response))
        if message.isEmpty { return response.status == 404 ? "not found (HTTP 404)" : "the manager answered HTTP \(response.status)" }
        switch response.status {
        case 401 where code(response) == "wrong-credentials": return message  // a login, not a token
        case 401: return "the manager at \(base) refused the credential (\(message)): check --token / EXUP_TOKEN, or run exup login again"
        case 403: return "not allowed: \(message)"
        case 404: return message
        default: return message.isEmpty ? "the manager answered HTTP \(response.status)" : message
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClient.Response) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(response.body)) } catch {
            throw CommandFailure(
                "the manager's answer (HTTP \(response.status)) is not what this exup expects: \(ErrorWording.describe(error)); "
                    + "is the manager the same version?", code: "unexpected-answer")
        }
    }

    static func message(_ response: HTTPClient.Response) -> String {
        struct Envelope: Decodable { struct E: Decodable { var message: String }; var error: E }
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(response.body)) { return envelope.error.message }
        return String(decoding: response.body.prefix(300), as: UTF8.self)
    }

    static func query(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Column tables for people.
enum TextTable {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            return line
        }.joined(separator: "\n")
    }
}

/// How the CLI says what the API says.
enum CLIWording {
    /// The API's field names and the options that set them; only these are rewritten (a server named
    /// `dbServer01` stays as it is).
    static let options: [String: String] = [
        "onLostContact": "--on-lost-contact", "expiresInSeconds": "--expires", "startAt": "--at", "currentPassword": "--current-password",
        "allowReboot": "--allow-reboot", "latestOnly": "--no-latest-only", "notBefore": "--not-before", "downloadFirst": "--download-first",
        "overrideHealthGate": "--override-health-gate", "latestAtRunTime": "--latest-at-run-time", "maxFailurePercent": "--max-failure-percent",
        "delayDays": "--delay-days", "allVersions": "--all-versions", "keepUnchecked": "--keep-unchecked", "syncTime": "--sync-time",
    ]

    /// `onLostContact must be …` → `--on-lost-contact must be …`: whole words only.
    static func options(in text: String) -> String {
        var out = "", word = ""
        func flush() {
            out += options[word] ?? word
            word = ""
        }
        for c in text {
            if c.isLetter || c.isNumber { word.append(c) } else { flush(); out.append(c) }
        }
        flush()
        return out
    }
}
