/// A failure talking to the BMC, naming the BMC and the cause.
public enum IPMIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Wrong user name, password or K_g, or a privilege level the account does not have.
    case authentication(target: String, reason: String)
    /// No answer within the configured time limit.
    case timeout(target: String, reason: String)
    /// No such host, or no in-band device on this machine.
    case unreachable(target: String, reason: String)
    /// The BMC answered a command with an error completion code.
    case completionCode(target: String, command: String, code: UInt8)
    /// Another library failure, naming the call.
    case library(target: String, call: String, reason: String)

    public var description: String {
        switch self {
        case .authentication(let t, let r): "BMC \(t): authentication failed: \(r)" + Self.workaroundHint(r)
        case .timeout(let t, let r): "BMC \(t): no answer: \(r)"
        case .unreachable(let t, let r): "BMC \(t): unreachable: \(r)"
        case .completionCode(let t, let c, let code): "BMC \(t): \(c) failed with completion code \(String(code, radix: 16, uppercase: true))h"
        case .library(let t, let call, let r): "BMC \(t): \(call): \(r)"
        }
    }

    /// FreeIPMI's documented workarounds for BMCs that answer these errors although the credentials are
    /// right (freeipmi's "workaround-flags"): named so the operator can try the one that fits.
    static func workaroundHint(_ reason: String) -> String {
        let text = reason.lowercased()
        if text.contains("authentication type unavailable") {
            return "; if the BMC's settings allow this user, try [ipmi] workarounds = [\"authcap\"] in agent.toml"
        }
        if text.contains("password invalid") || text.contains("k_g invalid") || text.contains("privilege level cannot be obtained")
            || text.contains("username invalid") || text.contains("rmcpplus status")
        {
            return "; if the user name and password are right, this BMC may need a FreeIPMI workaround: [ipmi] workarounds = [\"opensesspriv\"] "
                + "(or \"intel20\", \"supermicro20\", \"sun20\" on those BMCs, \"integritycheckvalue\" for k_g errors) in agent.toml"
        }
        return ""
    }

    /// After these, the session is unusable: no further IPMI calls are made in this inventory.
    public var endsSession: Bool {
        switch self {
        case .authentication, .timeout, .unreachable: true
        case .completionCode, .library: false
        }
    }
}
