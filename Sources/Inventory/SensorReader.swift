internal import CIPMIMonitoring
import ExupCore

#if canImport(Glibc)
    import Glibc
#endif

/// The BMC's sensors through libipmimonitoring, interpreted as nominal, warning or critical (what the
/// pre-flight health gate checks). It opens its own session, so the inventory calls it only after the
/// main session succeeded.
public enum SensorReader {
    private static let initialised: Int32 = {
        var errnum: Int32 = 0
        return ipmi_monitoring_init(0, &errnum) < 0 ? errnum : 0
    }()

    public static func read(_ configuration: IPMIConfiguration) throws(IPMIError) -> [SensorReading] {
        let target = configuration.target
        guard initialised == 0 else {
            throw .library(target: target, call: "ipmi_monitoring_init", reason: String(cString: ipmi_monitoring_ctx_strerror(initialised)))
        }
        guard let context = ipmi_monitoring_ctx_create() else {
            throw .library(target: target, call: "ipmi_monitoring_ctx_create", reason: "out of memory")
        }
        defer { ipmi_monitoring_ctx_destroy(context) }
        if ipmi_monitoring_ctx_sdr_cache_directory(context, configuration.sdrCacheDirectory) < 0 {
            throw failure(context, target: target, call: "set SDR cache directory \(configuration.sdrCacheDirectory)")
        }
        var config = ipmi_monitoring_ipmi_config()
        config.driver_type = -1
        config.disable_auto_probe = 0
        config.protocol_version = Int32(
            configuration.driver == .lan
                ? IPMI_MONITORING_PROTOCOL_VERSION_1_5.rawValue : IPMI_MONITORING_PROTOCOL_VERSION_2_0.rawValue)
        let privilege: UInt32 =
            switch configuration.privilege {
            case .user: IPMI_MONITORING_PRIVILEGE_LEVEL_USER.rawValue
            case .operator: IPMI_MONITORING_PRIVILEGE_LEVEL_OPERATOR.rawValue
            case .admin: IPMI_MONITORING_PRIVILEGE_LEVEL_ADMIN.rawValue
            }
        config.privilege_level = Int32(privilege)
        config.authentication_type = Int32(IPMI_MONITORING_AUTHENTICATION_TYPE_MD5.rawValue)
        config.cipher_suite_id = Int32(configuration.cipherSuite)
        config.session_timeout_len = Int32(configuration.timeoutMilliseconds)
        config.retransmission_timeout_len = Int32(max(configuration.timeoutMilliseconds / 3, 50))
        config.workaround_flags = IPMISession.workaroundFlags(configuration.workarounds, v20: configuration.driver != .lan)
        let username = strdup(configuration.username), password = strdup(configuration.password)
        defer { free(username); free(password) }
        config.username = username
        config.password = password
        let device = configuration.device.map { strdup($0) } ?? nil
        defer { free(device) }
        config.driver_device = device
        var hostname: UnsafeMutablePointer<CChar>?
        if configuration.driver == .lan || configuration.driver == .lan20 { hostname = strdup(target) }
        defer { free(hostname) }

        let count = ipmi_monitoring_sensor_readings_by_record_id(context, hostname, &config, 0, nil, 0, nil, nil)
        guard count >= 0 else { throw failure(context, target: target, call: "read sensors") }
        var readings: [SensorReading] = []
        if count == 0 { return readings }
        guard ipmi_monitoring_sensor_iterator_first(context) >= 0 else { throw failure(context, target: target, call: "read sensors") }
        repeat {
            let name = ipmi_monitoring_sensor_read_sensor_name(context).map { String(cString: $0) } ?? ""
            let type = ipmi_monitoring_sensor_read_sensor_type(context)
            // Records that are not sensors (device locators, OEM records) have no name and no sensor type.
            if name.isEmpty && UInt32(bitPattern: type) == IPMI_MONITORING_SENSOR_TYPE_UNKNOWN.rawValue { continue }
            let state: SensorState =
                switch UInt32(bitPattern: ipmi_monitoring_sensor_read_sensor_state(context)) {
                case IPMI_MONITORING_STATE_NOMINAL.rawValue: .nominal
                case IPMI_MONITORING_STATE_WARNING.rawValue: .warning
                case IPMI_MONITORING_STATE_CRITICAL.rawValue: .critical
                default: .unknown
                }
            var value: Double?
            if let pointer = ipmi_monitoring_sensor_read_sensor_reading(context) {
                switch UInt32(bitPattern: ipmi_monitoring_sensor_read_sensor_reading_type(context)) {
                case IPMI_MONITORING_SENSOR_READING_TYPE_DOUBLE.rawValue: value = pointer.load(as: Double.self)
                case IPMI_MONITORING_SENSOR_READING_TYPE_UNSIGNED_INTEGER32.rawValue: value = Double(pointer.load(as: UInt32.self))
                case IPMI_MONITORING_SENSOR_READING_TYPE_UNSIGNED_INTEGER8_BOOL.rawValue: value = Double(pointer.load(as: UInt8.self))
                default: value = nil
                }
            }
            readings.append(
                SensorReading(
                    name: name, type: sensorType(type),
                    reading: value, unit: unit(ipmi_monitoring_sensor_read_sensor_units(context)), state: state))
        } while ipmi_monitoring_sensor_iterator_next(context) == 1
        return readings
    }

    static func failure(_ context: ipmi_monitoring_ctx_t, target: String, call: String) -> IPMIError {
        let errnum = ipmi_monitoring_ctx_errnum(context)
        let reason = ipmi_monitoring_ctx_errormsg(context).map { String(cString: $0) } ?? "error \(errnum)"
        switch UInt32(bitPattern: errnum) {
        case IPMI_MONITORING_ERR_USERNAME_INVALID.rawValue, IPMI_MONITORING_ERR_PASSWORD_INVALID.rawValue,
            IPMI_MONITORING_ERR_PRIVILEGE_LEVEL_INSUFFICIENT.rawValue, IPMI_MONITORING_ERR_PRIVILEGEL_LEVEL_CANNOT_BE_OBTAINED.rawValue,
            IPMI_MONITORING_ERR_K_G_INVALID.rawValue:
            return .authentication(target: target, reason: reason)
        case IPMI_MONITORING_ERR_CONNECTION_TIMEOUT.rawValue, IPMI_MONITORING_ERR_SESSION_TIMEOUT.rawValue:
            return .timeout(target: target, reason: reason)
        default:
            return .library(target: target, call: call, reason: reason)
        }
    }

    static func unit(_ code: Int32) -> String {
        switch UInt32(bitPattern: code) {
        case IPMI_MONITORING_SENSOR_UNITS_CELSIUS.rawValue: "C"
        case IPMI_MONITORING_SENSOR_UNITS_FAHRENHEIT.rawValue: "F"
        case IPMI_MONITORING_SENSOR_UNITS_VOLTS.rawValue: "V"
        case IPMI_MONITORING_SENSOR_UNITS_AMPS.rawValue: "A"
        case IPMI_MONITORING_SENSOR_UNITS_RPM.rawValue: "RPM"
        case IPMI_MONITORING_SENSOR_UNITS_WATTS.rawValue: "W"
        case IPMI_MONITORING_SENSOR_UNITS_PERCENT.rawValue: "%"
        case IPMI_MONITORING_SENSOR_UNITS_NONE.rawValue: ""
        default: "?"
        }
    }

    static func sensorType(_ code: Int32) -> String {
        switch code {
        case 0x01: "temperature"
        case 0x02: "voltage"
        case 0x03: "current"
        case 0x04: "fan"
        case 0x07: "processor"
        case 0x08: "power-supply"
        case 0x09: "power-unit"
        case 0x0C: "memory"
        case 0x23: "watchdog"
        default: "type-0x" + String(code, radix: 16)
        }
    }
}
