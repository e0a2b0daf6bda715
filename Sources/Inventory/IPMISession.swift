internal import CFreeIPMI
import ExupCore

/// One IPMI session to the BMC through libfreeipmi. Owns its `ipmi_ctx_t`: opened in `init`, closed in
/// `deinit`. Not Sendable: use it from one task.
public final class IPMISession {
    public let configuration: IPMIConfiguration
    private let context: ipmi_ctx_t

    public init(_ configuration: IPMIConfiguration) throws(IPMIError) {
        self.configuration = configuration
        let target = configuration.target
        guard let context = ipmi_ctx_create() else {
            throw .library(target: target, call: "ipmi_ctx_create", reason: "out of memory")
        }
        self.context = context
        let timeout = UInt32(max(configuration.timeoutMilliseconds, 100))
        let retransmission = UInt32(max(timeout / 3, 50))
        let privilege: UInt8 =
            switch configuration.privilege {
            case .user: UInt8(IPMI_PRIVILEGE_LEVEL_USER)
            case .operator: UInt8(IPMI_PRIVILEGE_LEVEL_OPERATOR)
            case .admin: UInt8(IPMI_PRIVILEGE_LEVEL_ADMIN)
            }
        let rc: Int32
        switch configuration.driver {
        case .lan:
            rc = ipmi_ctx_open_outofband(
                context, target, configuration.username, configuration.password,
                UInt8(IPMI_AUTHENTICATION_TYPE_MD5), privilege, timeout, retransmission,
                IPMISession.workaroundFlags(configuration.workarounds, v20: false), 0)
        case .lan20:
            rc = ipmi_ctx_open_outofband_2_0(
                context, target, configuration.username, configuration.password, nil, 0,
                privilege, UInt8(clamping: configuration.cipherSuite), timeout, retransmission,
                IPMISession.workaroundFlags(configuration.workarounds, v20: true), 0)
        case .inband:
            var found = ipmi_driver_type_t(rawValue: 0)
            switch configuration.inbandDriver {
            case .auto:
                let result = ipmi_ctx_find_inband(context, &found, 0, 0, 0, configuration.device, 0, 0)
                rc = result == 1 ? 0 : -1
                if result == 0 {
                    ipmi_ctx_destroy(context)
                    throw .unreachable(target: target, reason: "no in-band IPMI device found on this machine (no KCS, SSIF or /dev/ipmi0)")
                }
            case .kcs: rc = ipmi_ctx_open_inband(context, IPMI_DEVICE_KCS, 0, 0, 0, configuration.device, 0, 0)
            case .ssif: rc = ipmi_ctx_open_inband(context, IPMI_DEVICE_SSIF, 0, 0, 0, configuration.device, 0, 0)
            case .openipmi: rc = ipmi_ctx_open_inband(context, IPMI_DEVICE_OPENIPMI, 0, 0, 0, configuration.device, 0, 0)
            }
        case .none:
            ipmi_ctx_destroy(context)
            throw .unreachable(target: target, reason: "IPMI is turned off (driver = \"none\")")
        }
        if rc < 0 {
            let error = IPMISession.error(context, target: target, call: "open session")
            ipmi_ctx_destroy(context)
            throw error
        }
    }

    deinit {
        ipmi_ctx_close(context)
        ipmi_ctx_destroy(context)
    }

    /// Sends one command; returns the response data after the completion code.
    public func command(netFn: UInt8, command: UInt8, data: [UInt8] = [], name: String) throws(IPMIError) -> [UInt8] {
        var request = [command] + data
        var response = [UInt8](repeating: 0, count: 512)
        let length = ipmi_cmd_raw(context, 0, netFn, &request, UInt32(request.count), &response, UInt32(response.count))
        guard length >= 0 else { throw IPMISession.error(context, target: configuration.target, call: name) }
        guard length >= 2 else { throw .library(target: configuration.target, call: name, reason: "short response") }
        guard response[1] == 0 else { throw .completionCode(target: configuration.target, command: name, code: response[1]) }
        return Array(response[2..<Int(length)])
    }

    // MARK: - What the inventory reads

    public struct DeviceID: Sendable, Hashable {
        /// As `bmc-info` prints it: `2.15`.
        public var firmwareRevision: String
        /// As `bmc-info` prints it: `04030201h`, when the BMC reports one.
        public var auxiliaryRevision: String?
        public var manufacturerID: UInt32
        public var productID: UInt16
        public var ipmiVersion: String
    }

    /// Get Device ID (IPMI 2.0 §20.1).
    public func deviceID() throws(IPMIError) -> DeviceID {
        let d = try command(netFn: 0x06, command: 0x01, name: "Get Device ID")
        guard d.count >= 11 else { throw .library(target: configuration.target, call: "Get Device ID", reason: "\(d.count)-byte response") }
        return DeviceID(
            firmwareRevision: FirmwareRevision.format(major: d[2], minorBCD: d[3]),
            auxiliaryRevision: d.count >= 15 ? FirmwareRevision.formatAuxiliary(Array(d[11..<15])) : nil,
            manufacturerID: UInt32(d[6]) | UInt32(d[7]) << 8 | UInt32(d[8] & 0x0F) << 16,
            productID: UInt16(d[9]) | UInt16(d[10]) << 8,
            ipmiVersion: "\(d[4] & 0x0F).\(d[4] >> 4)")
    }

    /// The System Firmware Version from Get System Info Parameters (IPMI 2.0 §22.14a, parameter 1), as
    /// `bmc-info --get-system-info` prints it; nil when the BMC does not support the parameter.
    public func systemFirmwareVersion() throws(IPMIError) -> String? {
        func block(_ set: UInt8) throws(IPMIError) -> [UInt8]? {
            do {
                return try command(netFn: 0x06, command: 0x59, data: [0x00, 0x01, set, 0x00], name: "Get System Info Parameters")
            } catch {
                if case .completionCode(_, _, let code) = error, [0x80, 0xC1, 0xCC, 0xC9].contains(code) { return nil }
                throw error
            }
        }
        guard let first = try block(0), first.count >= 4 else { return nil }
        let encoding = first[2] & 0x0F
        let length = Int(first[3])
        var bytes = Array(first.dropFirst(4).prefix(14))
        var set: UInt8 = 1
        while bytes.count < length, set < 16 {
            guard let next = try block(set), next.count >= 2 else { break }
            bytes += next.dropFirst(2).prefix(16)
            set += 1
        }
        bytes = Array(bytes.prefix(length))
        switch encoding {
        case 2:  // UCS-2 little-endian
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
            return String(decoding: units, as: UTF16.self)
        default:
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The FRU product name and board product name of FRU device 0 (empty when absent).
    public func fruNames() throws(IPMIError) -> (product: String, board: String) {
        var product = [CChar](repeating: 0, count: 1024), board = [CChar](repeating: 0, count: 1024)
        var message = [CChar](repeating: 0, count: 512)
        let rc = exup_fru_names(context, &product, UInt32(product.count), &board, UInt32(board.count), &message, UInt32(message.count))
        guard rc == 0 else { throw failure(call: "read FRU", message: message) }
        return (String(cString: product), String(cString: board))
    }

    /// The SDR set's version: the first OEM record (C0h) whose data begins with `SDRVER:` (see the README).
    /// Nil when the repository has no such record, which is normal for many BMCs.
    public func sdrVersion(cacheFile: String) throws(IPMIError) -> String? {
        var text = [CChar](repeating: 0, count: 300)
        var message = [CChar](repeating: 0, count: 512)
        var found: Int32 = 0
        let rc = exup_sdr_tagged_oem_text(
            context, cacheFile, IPMISession.sdrVersionTag, &text, UInt32(text.count), &found,
            &message, UInt32(message.count))
        guard rc == 0 else { throw failure(call: "read SDR repository", message: message) }
        guard found == 1 else { return nil }
        return String(cString: text).trimmingScalars(in: " \t\0")
    }

    public static let sdrVersionTag = "SDRVER:"

    // MARK: - Errors

    private func failure(call: String, message: [CChar]) -> IPMIError {
        let errnum = ipmi_ctx_errnum(context)
        if errnum != IPMI_ERR_SUCCESS.rawValue, let mapped = IPMISession.classify(errnum, target: configuration.target, call: call) {
            return mapped
        }
        return .library(target: configuration.target, call: call, reason: String(cString: message))
    }

    static func error(_ context: ipmi_ctx_t, target: String, call: String) -> IPMIError {
        let errnum = ipmi_ctx_errnum(context)
        if let mapped = classify(errnum, target: target, call: call) { return mapped }
        let message = ipmi_ctx_errormsg(context).map { String(cString: $0) } ?? "error \(errnum)"
        return .library(target: target, call: call, reason: message)
    }

    static func classify(_ errnum: Int32, target: String, call: String) -> IPMIError? {
        let reason = ipmi_ctx_strerror(errnum).map { String(cString: $0) } ?? "error \(errnum)"
        switch UInt32(errnum) {
        case IPMI_ERR_USERNAME_INVALID.rawValue, IPMI_ERR_PASSWORD_INVALID.rawValue, IPMI_ERR_K_G_INVALID.rawValue,
            IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT.rawValue, IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED.rawValue,
            IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE.rawValue, IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE.rawValue,
            IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT.rawValue, IPMI_ERR_IPMI_2_0_UNAVAILABLE.rawValue:
            return .authentication(target: target, reason: reason)
        case IPMI_ERR_CONNECTION_TIMEOUT.rawValue, IPMI_ERR_SESSION_TIMEOUT.rawValue, IPMI_ERR_DRIVER_TIMEOUT.rawValue,
            IPMI_ERR_MESSAGE_TIMEOUT.rawValue, IPMI_ERR_BMC_BUSY.rawValue:
            return .timeout(target: target, reason: reason)
        case IPMI_ERR_HOSTNAME_INVALID.rawValue, IPMI_ERR_DEVICE_NOT_FOUND.rawValue, IPMI_ERR_DEVICE_NOT_SUPPORTED.rawValue,
            IPMI_ERR_PERMISSION.rawValue:
            return .unreachable(target: target, reason: reason)
        default:
            return nil
        }
    }

    static func workaroundFlags(_ names: [String], v20: Bool) -> UInt32 {
        var flags: UInt32 = 0
        for name in names {
            switch (name, v20) {
            case ("opensesspriv", true): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE)
            case ("authcap", true): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_AUTHENTICATION_CAPABILITIES)
            case ("intel20", true): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_INTEL_2_0_SESSION)
            case ("supermicro20", true): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUPERMICRO_2_0_SESSION)
            case ("sun20", true): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUN_2_0_SESSION)
            case ("integritycheckvalue", true): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NON_EMPTY_INTEGRITY_CHECK_VALUE)
            case ("authcap", false): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_AUTHENTICATION_CAPABILITIES)
            case ("accept-session-id-zero", false): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_ACCEPT_SESSION_ID_ZERO)
            case ("forcepermsg", false): flags |= UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_FORCE_PERMSG_AUTHENTICATION)
            default: break
            }
        }
        return flags
    }
}
