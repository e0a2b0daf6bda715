import ArgumentParser
import ExupCommandLine
import ExupFormats
import FoundationEssentials
import ManagerAPIModel
import OpenAPIRuntime
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
        return try ManagerClient(base: base, token: token, caFile: caFile)
    }

    /// The manager's URL as `client()` would use it, without needing a credential (for `exup login`).
    var baseURL: String {
        let url = server ?? ProcessInfo.processInfo.environment["EXUP_SERVER"] ?? SavedSession.load()?.server ?? "http://127.0.0.1:8080"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// The manager's JSON API: the client swift-openapi-generator made of openapi.yaml (`api`), over the
/// project's libcurl client (`http`, also used directly for the streamed package upload and downloads).
struct ManagerClient {
    let base: String
    let http: HTTPClient
    let api: Client

    init(base: String, token: String, caFile: String?) throws {
        self.base = base
        var options = HTTPClient.Options()
        options.bearerToken = token
        options.caFile = caFile
        options.userAgent = "exup-cli"
        http = HTTPClient(options: options)
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme?.lowercased()), url.host?.isEmpty == false else {
            throw CommandFailure("--server \(base) is not an http:// or https:// URL", code: "usage", status: .usage)
        }
        api = Client(
            serverURL: url, configuration: .exup,
            transport: CurlClientTransport(options: options, managerURL: base), middlewares: [RefusalMiddleware(managerURL: base)])
    }

    /// One call of the generated client, e.g. `try await client.call { try await $0.listServers().ok.body.json }`.
    /// Refusals and an unreachable manager arrive as the CLI's errors; an answer the document does not
    /// allow (another version of the manager) says so.
    func call<T>(_ operation: (Client) async throws -> T) async throws -> T {
        do { return try await operation(api) } catch let error as ClientError {
            if let failure = error.underlyingError as? CommandFailure { throw failure }
            throw Self.unexpected("answer to \(error.operationID)", error.underlyingError)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw Self.unexpected("answer", error)
        }
    }

    static func unexpected(_ what: String, _ error: any Error) -> CommandFailure {
        CommandFailure(
            "the manager's \(what) is not what this exup expects: \(ErrorWording.describe(error)); is the manager the same version?",
            code: "unexpected-answer")
    }

    static func unreachable(_ base: String, _ error: any Error) -> CommandFailure {
        let reason = (error as? HTTPError).map(Self.reason) ?? "\(error)"
        return CommandFailure(
            "cannot reach the manager at \(base) (\(reason)): is it running, and is --server / EXUP_SERVER right?", code: "unreachable")
    }

    func send(_ method: String, _ path: String) throws -> HTTPClient.Response {
        do {
            if method == "GET" { return try http.get(base + path, maxBytes: 300 << 20) }
            return try http.send(method, base + path, body: [])
        } catch { throw Self.unreachable(base, error) }
    }

    func upload(_ path: String, file: String, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> HTTPClient.Response {
        do { return try http.post(base + path, file: file, contentType: "application/zip", progress: progress) } catch {
            throw CommandFailure("cannot upload \(file) to the manager at \(base) (\(Self.reason(error)))", code: "unreachable")
        }
    }

    func check(_ response: HTTPClient.Response, accept: Set<Int>) throws {
        guard !accept.contains(response.status) else { return }
        throw Self.refusal(status: response.status, body: response.body, managerURL: base)
    }

    /// A refusal as the CLI says it, with the API's error code (`not-found`, `refused`, …) for --json.
    static func refusal(status: Int, body: [UInt8], managerURL: String) -> CommandFailure {
        // Not the API's error shape (a proxy's page, another server): said in one line, not dumped.
        var message = "the answer is not an exup manager's (HTTP \(status)); is --server right?", code: String?
        if let envelope = try? JSONDecoder().decode(Components.Schemas._Error.self, from: Data(body)) {
            (message, code) = (envelope.error.message, envelope.error.code.rawValue)
        } else if let detail = (try? JSON.parseShape(body))?["error"], let text = detail["message"]?.string {
            (message, code) = (text, detail["code"]?.string)  // a code this exup does not know yet
        }
        return CommandFailure(explain(status: status, message: message, code: code, base: managerURL), code: code ?? "http-\(status)")
    }

    /// libcurl's reason without the URL it repeats ("couldn't connect to server").
    static func reason(_ error: HTTPError) -> String {
        let text = "\(error)"
        let last = text.split(separator: ":").last.map { String($0.drop { $0 == " " }) } ?? text
        // "Couldn't connect" → "couldn't connect"; an acronym ("SSL connect error") keeps its capitals.
        guard last.dropFirst().first?.isLowercase == true else { return last }
        return last.prefix(1).lowercased() + last.dropFirst()
    }

    /// The manager's refusal in the CLI's words: its message with API field names as option names, and
    /// what to do about a wrong credential.
    static func explain(status: Int, message raw: String, code: String?, base: String) -> String {
        let message = CLIWording.options(in: raw)
        if message.isEmpty { return status == 404 ? "not found (HTTP 404)" : "the manager answered HTTP \(status)" }
        switch status {
        case 401 where code == "wrong-credentials" || code == "wrong-current-password": return message  // a password, not the token
        case 401: return "the manager at \(base) refused the credential (\(message)): check --token / EXUP_TOKEN, or run exup login again"
        case 403: return "not allowed: \(message)"
        default: return message
        }
    }

    /// A JSON answer read with the generated schema types (for the calls made with `http` directly).
    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClient.Response) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(response.body)) } catch {
            throw Self.unexpected("answer (HTTP \(response.status))", error)
        }
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

extension Date {
    /// `YYYY-MM-DDTHH:MM:SSZ`, as the manager writes times.
    var utc: String { UTCTime(seconds: Int64(timeIntervalSince1970.rounded(.down))).description }

    /// A time the command line gave as `YYYY-MM-DDTHH:MM:SSZ` (checked by the command's validate()).
    init(utc text: String) { self.init(timeIntervalSince1970: TimeInterval(UTCTime(text)?.seconds ?? 0)) }
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
