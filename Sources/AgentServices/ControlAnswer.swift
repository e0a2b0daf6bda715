import Agent
import FoundationEssentials

/// The JSON line a local CLI request is answered with: `{"ok": true, "outcome": …}` or
/// `{"ok": false, "error": "…"}`.
public struct ControlAnswer: Codable, Sendable {
    public var ok: Bool
    public var outcome: AgentCycle.Outcome?
    public var error: String?

    public static func success(_ outcome: AgentCycle.Outcome) -> String { encode(ControlAnswer(ok: true, outcome: outcome)) }
    public static func failure(_ error: String) -> String { encode(ControlAnswer(ok: false, error: error)) }

    static func encode(_ answer: ControlAnswer) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(answer)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"ok":false,"error":"unencodable answer"}"#
    }
}
