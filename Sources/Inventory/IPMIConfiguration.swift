/// How to reach the BMC: the `[ipmi]` section of the agent's configuration.
public struct IPMIConfiguration: Sendable, Hashable {
    public enum Driver: String, Sendable, CaseIterable {
        /// IPMI 1.5 over LAN.
        case lan
        /// IPMI 2.0 (RMCP+) over LAN.
        case lan20 = "lan-2.0"
        /// The local BMC through the kernel or system interface (auto-detected, or `inband-driver`).
        case inband
        /// Do not use IPMI (SMBIOS only).
        case none
    }

    public enum InbandDriver: String, Sendable, CaseIterable { case auto, kcs, ssif, openipmi }

    public enum Privilege: String, Sendable, CaseIterable { case user, `operator`, admin }

    public var driver: Driver = .inband
    public var inbandDriver: InbandDriver = .auto
    /// Device path for ssif/openipmi (e.g. `/dev/ipmi0`); default: FreeIPMI's.
    public var device: String?
    public var host: String?
    public var port = 623
    public var username = ""
    public var password = ""
    /// Get System Info Parameters needs ADMIN on many BMCs.
    public var privilege: Privilege = .admin
    public var cipherSuite = 3
    /// One request's time limit; never FreeIPMI's 20 s default.
    public var timeoutMilliseconds = 5_000
    public var sdrCacheDirectory = "/var/cache/exup/sdr"
    /// FreeIPMI workaround names (`opensesspriv`, `authcap`, `intel20`, `supermicro20`, `sun20`, `integritycheckvalue`).
    public var workarounds: [String] = []

    public init() {}

    /// What messages call the BMC: `127.0.0.1:9623`, or `in-band`.
    public var target: String {
        switch driver {
        case .lan, .lan20: "\(host ?? "?"):\(port)"
        case .inband: device.map { "in-band (\($0))" } ?? "in-band"
        case .none: "none"
        }
    }
}
