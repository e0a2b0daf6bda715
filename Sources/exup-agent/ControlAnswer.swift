import Agent
import FoundationEssentials

/// The JSON line a local CLI request is answered with: `{"ok": true, "outcome": …}` or
/// `{"ok": false, "error": "…"}`.
struct ControlAnswer: Codable {
    var ok: Bool
    var outcome: AgentCycle.Outcome?
    var error: String?

    static func success(_ outcome: AgentCycle.Outcome) -> String { encode(ControlAnswer(ok: true, outcome: outcome)) }
    static func failure(_ error: String) -> String { encode(ControlAnswer(ok: false, error: error)) }

    static func encode(_ answer: ControlAnswer) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(answer)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"ok":false,"error":"unencodable answer"}"#
    }
}
