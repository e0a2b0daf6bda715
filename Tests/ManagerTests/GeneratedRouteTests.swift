import ExupTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ManagerAPIModel
import ManagerServer
import Testing

@testable import ManagerAPI

/// The operations served by the code generated from openapi.yaml, in process: what OperationGate checks
/// before the generated code reads a request, and how the generated code's refusals answer.
extension InProcessRouteTests {
    func error(_ response: TestResponse) -> (code: String?, message: String) {
        let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        return (error?["code"] as? String, error?["message"] as? String ?? "")
    }

    @Test("the generated routes: credential before body, limits, nulls as absent, one target per batch, typed parameters")
    func gate() async throws {
        let (manager, data) = try await application()
        defer { withExtendedLifetime(data) {} }
        let app = try manager.makeApplication()
        let admin: HTTPFields = [.authorization: "Bearer \(manager.secrets.adminToken)"]
        try await app.test(.router) { client in
            // No credential: 401 even for a body that is not JSON (the body is never read).
            try await client.execute(uri: "/api/v1/groups", method: .post, body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .unauthorized && error(response).code == "unauthenticated")
            }
            // Log in takes at most 16 KiB (x-exup-body-limit), other bodies 1 MiB.
            let long = String(repeating: "a", count: 17_000)
            try await client.execute(
                uri: "/api/v1/login", method: .post, body: ByteBuffer(string: #"{"username": "\#(long)", "password": "x"}"#)
            ) { response in
                #expect(response.status == .contentTooLarge && error(response).code == "too-large")
            }
            // A JSON object is taken whatever the client calls it; a null optional field is an absent one.
            try await client.execute(
                uri: "/api/v1/groups", method: .post, headers: admin + [.contentType: "text/plain"], body: ByteBuffer(string: #"{"name": "racks"}"#)
            ) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
            try await client.execute(
                uri: "/api/v1/groups/racks/members", method: .post, headers: admin, body: ByteBuffer(string: #"{"add": [], "remove": null}"#)
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            // JSON whatever Accept says (the generated code would refuse only after acting, with a 500).
            try await client.execute(
                uri: "/api/v1/groups", method: .post, headers: admin + [.accept: "text/html"], body: ByteBuffer(string: #"{"name": "shelves"}"#)
            ) { response in
                #expect(response.status == .created && response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            try await client.execute(uri: "/api/v1/groups", method: .get, headers: admin + [.accept: "application/xml"]) { response in
                #expect(response.status == .ok && String(buffer: response.body).contains("shelves"))
            }
            // A batch names exactly one target; the other may only be absent or null.
            let both = #"{"server": "web01", "group": "racks", "startAt": "2031-01-01T00:00:00Z"}"#
            try await client.execute(uri: "/api/v1/schedules", method: .post, headers: admin, body: ByteBuffer(string: both)) { response in
                #expect(response.status == .badRequest && error(response).message.contains("exactly one of server and group"))
            }
            let group = #"{"server": null, "group": "racks", "startAt": "2031-01-01T00:00:00Z"}"#
            try await client.execute(uri: "/api/v1/schedules", method: .post, headers: admin, body: ByteBuffer(string: group)) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
            // Times are exactly YYYY-MM-DDTHH:MM:SSZ on a real calendar day: no offset, no February 30th.
            for start in ["2031-02-30T00:00:00Z", "2031-01-01T00:00:00+00:00", "2031-01-01T00:00:00.5Z"] {
                let body = #"{"group": "racks", "startAt": "\#(start)"}"#
                try await client.execute(uri: "/api/v1/schedules", method: .post, headers: admin, body: ByteBuffer(string: body)) { response in
                    #expect(
                        response.status == .badRequest && error(response).message.contains("startAt must be a time like"),
                        "\(start): \(error(response).message)")
                }
            }
            // A body of several forms that fits none says which forms there are.
            let neither = #"{"startAt": "2031-01-01T00:00:00Z"}"#
            try await client.execute(uri: "/api/v1/schedules", method: .post, headers: admin, body: ByteBuffer(string: neither)) { response in
                let message = error(response).message
                #expect(
                    response.status == .badRequest && message.contains("fits none of its forms") && message.contains("GroupScheduleRequest (group"))
            }
            // Parameters are typed by the document, and a refusal names the parameter and what it takes; a
            // percent-encoded segment is checked as the generated code reads it.
            try await client.execute(uri: "/api/v1/schedules/%39%39/delete", method: .post, headers: admin) { response in
                #expect(response.status == .notFound, "99 is a whole number: \(error(response).message)")
            }
            try await client.execute(uri: "/api/v1/schedules/first/delete", method: .post, headers: admin) { response in
                #expect(response.status == .badRequest && error(response).message == "id must be a whole number, not first")
            }
            try await client.execute(uri: "/api/v1/groups/racks?filter=sideways", method: .get, headers: admin) { response in
                let message = error(response).message
                #expect(
                    response.status == .badRequest && message.hasPrefix("filter must be one of: all, latest") && message.hasSuffix("not sideways"))
            }
            // A body's wrong type is said in JSON's words, not Swift's.
            try await client.execute(uri: "/api/v1/groups", method: .post, headers: admin, body: ByteBuffer(string: #"{"name": 5}"#)) { response in
                #expect(
                    response.status == .badRequest && error(response).message.hasSuffix(#"field "name" must be a string"#),
                    "\(error(response).message)")
            }
            // A canary named in the body that does not exist is a conflict, not a missing path (404).
            let policy =
                #"{"autoApprove": true, "delayDays": 0, "canaryGroup": "nowhere", "maxCanaryFailurePercent": 10, "canaryWindowDays": 14, "allowReboot": false}"#
            try await client.execute(uri: "/api/v1/groups/racks/policy", method: .post, headers: admin, body: ByteBuffer(string: policy)) {
                response in
                #expect(response.status == .conflict && error(response).code == "unknown-canary", "\(error(response).message)")
            }
            // A handler's own refusal keeps its status and code through the generated code.
            try await client.execute(uri: "/api/v1/groups/nowhere", method: .get, headers: admin) { response in
                #expect(response.status == .notFound && error(response).code == "not-found")
            }
            // Log out is for user sessions: the administrator token is refused before anything else.
            try await client.execute(uri: "/api/v1/logout", method: .post, headers: admin) { response in
                #expect(response.status == .forbidden && error(response).code == "not-a-session")
            }
        }
    }
}

extension HTTPFields {
    fileprivate static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        for field in rhs { fields[field.name] = field.value }
        return fields
    }
}

extension InProcessRouteTests {
    @Test("Wire refuses an answer with a field the document does not declare, instead of dropping it")
    func wireKeepsEveryField() throws {
        // CreatedToken is an answer's schema: decoding alone would drop an unknown field.
        struct Answer: Encodable {
            var token = "exup1.x"
            var colour: String? = "red"
        }
        #expect(throws: WireError.self) { try Wire.convert(Answer(), to: Components.Schemas.CreatedToken.self) }
        // Without the extra field (nil is not written) the same answer crosses.
        #expect(try Wire.convert(Answer(colour: nil), to: Components.Schemas.CreatedToken.self).token == "exup1.x")
        // Every generated operation has its gate rules in the served document (the manager checks at start).
        #expect(DocumentedOperation.byRoute.count == DocumentedOperation.generatedCount && DocumentedOperation.generatedCount == 55)
    }
}
