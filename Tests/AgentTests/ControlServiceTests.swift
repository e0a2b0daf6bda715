import Agent
import AgentServices
import ExupTesting
import Foundation
import Logging
import Testing

/// The daemon's local socket in process (the service the executable runs, without the executable): a ping
/// is answered at once, a malformed or unknown request gets its reason, and cancelling the service closes
/// the socket.
@Suite struct ControlServiceTests {
    @Test("ping, a malformed line and an unknown command over the real Unix socket; the service ends on cancel")
    func socket() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("agent.sock")
        let control = AgentControl()
        let service = ControlService(socketPath: path, control: control, logger: Logger(label: "test"), pollInterval: 321)
        let running = Task { try await service.run() }
        var waited = 0
        while !FileManager.default.fileExists(atPath: path) && waited < 200 {
            try await Task.sleep(for: .milliseconds(25))
            waited += 1
        }
        let ping = try #require(try ControlSocket.request(path, #"{"command":"ping"}"#))
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(ping.utf8)) as? [String: Any])
        #expect(answer["ok"] as? Bool == true && answer["pollIntervalSeconds"] as? Int == 321 && answer["busy"] as? Bool == false)
        let garbage = try #require(try ControlSocket.request(path, "not json"))
        #expect(garbage.contains(#""ok":false"#) && garbage.contains("expected one JSON line"))
        let unknown = try #require(try ControlSocket.request(path, #"{"command":"reboot-now"}"#))
        #expect(unknown.contains("unknown command reboot-now"))
        running.cancel()
        try await running.value
        #expect(try ControlSocket.request(path, #"{"command":"ping"}"#) == nil, "no one answers once the service ended")
    }
}
