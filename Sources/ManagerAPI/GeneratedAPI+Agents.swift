import ExupCore
import Manager
import ManagerAPIModel
import ManagerHTTP
import Repository

/// What agents and other managers send that is one JSON request and answer: enrolment, a log bundle's
/// failure, and another manager's presence. (The poll and the report stay hand-routed: see openapi.yaml.)
extension GeneratedAPI {
    /// No credential: the enrolment token in the body is the proof (16 KiB at most, x-exup-body-limit).
    package func enrolAgent(_ input: Operations.EnrolAgent.Input) async throws -> Operations.EnrolAgent.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let request = try Wire.request(body, as: EnrolmentRequest.self), source = APIRequestScope.current?.source ?? "unknown"
        return .created(.init(body: .json(try Wire.convert(try await mapped { try await manager.enrolment.enrol(request, source: source) }))))
    }

    package func reportLogBundleFailure(_ input: Operations.ReportLogBundleFailure.Input) async throws -> Operations.ReportLogBundleFailure.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = try APIRequestScope.principal.name
        try await mapped { try await manager.logBundles.logBundleFailed(name, reason: body.reason ?? "no reason given") }
        return .ok(.init(body: .json(.init(recorded: name))))
    }

    /// Another manager (the repository password) or the administrator says which platforms it serves.
    package func sendPresence(_ input: Operations.SendPresence.Input) async throws -> Operations.SendPresence.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let presence = try Wire.request(body, as: Presence.self)
        guard !presence.manager.isEmpty, presence.manager.count <= 255 else { throw APIError.badRequest("manager must name the sender") }
        return .ok(.init(body: .json(try Wire.convert(try await packages.receivePresence(presence)))))
    }
}
