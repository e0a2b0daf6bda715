import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A BMC for tests: OpenIPMI's `ipmi_sim` on a free loopback UDP port, with a FRU image naming the model,
/// SDRs compiled by `sdrcomp`, sensors whose readings come from files, an OEM record carrying the SDR set
/// version, and exup's plugin (Tests/Support/bmc-sim) answering Get Device ID and Get System Info
/// Parameters from state files, so `flash` takes effect on the next request.
public final class SimulatedBMC: @unchecked Sendable {
    public struct Sensor: Sendable {
        public var number: UInt8
        public var name: String
        public var value: Int
        /// Upper non-critical, critical and non-recoverable thresholds (degrees C).
        public var upperNonCritical: Int
        public var upperCritical: Int
        public var upperNonRecoverable: Int

        public init(number: UInt8, name: String, value: Int, upperNonCritical: Int = 80, upperCritical: Int = 90, upperNonRecoverable: Int = 100) {
            self.number = number
            self.name = name
            self.value = value
            self.upperNonCritical = upperNonCritical
            self.upperCritical = upperCritical
            self.upperNonRecoverable = upperNonRecoverable
        }
    }

    public struct Setup: Sendable {
        public var productName: String? = "Express5800/R120h-1M"
        public var boardProductName: String? = "R120h-1M mainboard"
        public var bmcFirmware = "2.15"
        public var bmcAuxiliary: String? = "01020304"
        public var systemFirmware: String? = "R120h BIOS 4.2.1"
        public var sdrVersion: String? = "1.07"
        public var sensors: [Sensor] = [Sensor(number: 1, name: "Inlet Temp", value: 25)]
        public var username = "admin"
        public var password = "secret"

        public init() {}
    }

    public let setup: Setup
    public let directory: TemporaryDirectory
    public let port: UInt16
    private var process: BackgroundProcess?
    private var paused = false

    public var host: String { "127.0.0.1:\(port)" }

    /// Arguments for FreeIPMI's command-line tools against this BMC.
    public var freeipmiArguments: [String] {
        [
            "-h", host, "-u", setup.username, "-p", setup.password, "--driver-type=LAN_2_0", "-W", "opensesspriv", "-l", "ADMIN",
            "--session-timeout=3000", "--retransmission-timeout=1000",
        ]
    }

    /// Starts a simulator; `port` 0 picks a free loopback UDP port.
    public init(_ setup: Setup = Setup(), port: UInt16 = 0) throws {
        self.setup = setup
        _ = try requireTool("ipmi_sim")
        _ = try requireTool("sdrcomp")
        directory = try TemporaryDirectory(prefix: "exup-bmc")
        self.port = port == 0 ? try SimulatedBMC.freeUDPPort() : port
        try writeFiles()
        try start()
    }

    deinit { stop() }

    // MARK: - Changing the BMC at run time

    /// A firmware "flash": the next Get Device ID reports this revision (`2.31`; minor digits are BCD).
    /// The agent.toml `[ipmi]` table that reaches this BMC over LAN 2.0 (as the tests and the demo use it).
    public func agentIPMITable(password: String? = nil, sdrCacheDirectory: String) -> String {
        """
        [ipmi]
        driver = "lan-2.0"
        host = "127.0.0.1"
        port = \(port)
        username = "\(setup.username)"
        password = "\(password ?? setup.password)"
        workarounds = ["opensesspriv"]
        timeout-ms = 1000
        sdr-cache-dir = "\(sdrCacheDirectory)"
        """
    }

    public func flash(bmcFirmware: String, auxiliary: String? = nil) throws {
        try directory.write("state/bmc-firmware", bmcFirmware + (auxiliary.map { " " + $0 } ?? "") + "\n")
    }

    public func setSystemFirmware(_ version: String?) throws {
        if let version {
            try directory.write("state/system-firmware", version + "\n")
        } else {
            unlink(directory.file("state/system-firmware"))
        }
    }

    /// The sensor's next reading (the simulator polls the file every 100 ms).
    public func setSensor(_ number: UInt8, value: Int) throws {
        try directory.write("sensor-\(number).value", "\(value)\n")
    }

    /// Stops answering (SIGSTOP), as a hung BMC does; `resume()` undoes it.
    public func pause() {
        guard let process, !paused else { return }
        kill(process.pid, SIGSTOP)
        paused = true
    }

    public func resume() {
        guard let process, paused else { return }
        kill(process.pid, SIGCONT)
        paused = false
    }

    public func stop() {
        resume()
        process?.stop()
        process = nil
    }

    // MARK: - Files

    private func writeFiles() throws {
        try FileManager.default.createDirectory(atPath: directory.file("state/ipmi_sim/exupsim"), withIntermediateDirectories: true)
        try flash(bmcFirmware: setup.bmcFirmware, auxiliary: setup.bmcAuxiliary)
        try setSystemFirmware(setup.systemFirmware)
        try directory.write("fru.bin", FRUImage.build(productName: setup.productName, boardProductName: setup.boardProductName))
        for sensor in setup.sensors { try setSensor(sensor.number, value: sensor.value) }
        try directory.write("main.sdrs", sdrs())
        let compiled = try Subprocess.run(["sdrcomp", "-o", directory.file("state/ipmi_sim/exupsim/sdr.20.main"), directory.file("main.sdrs")])
        guard compiled.status == 0 else { throw TestFailure("sdrcomp failed: \(compiled.stderr)") }
        let plugin = try SimulatedBMC.plugin()
        try directory.write(
            "lan.conf",
            """
            name "exupsim"
            set_working_mc 0x20
              startlan 1
                addr 127.0.0.1 \(port)
                priv_limit admin
                allowed_auths_callback none md2 md5 straight
                allowed_auths_user none md2 md5 straight
                allowed_auths_operator none md2 md5 straight
                allowed_auths_admin none md2 md5 straight
                guid a123456789abcdefa123456789abcdef
              endlan
              user 1 true  ""        "test"   user     10       none md2 md5 straight
              user 2 true  "\(setup.username)" "\(setup.password)" admin    10       none md2 md5 straight
            loadlib "\(plugin)" "state=\(directory.file("state")) devid=0x20 devrev=3 ipmi=0x02 support=0x9f mfg=0x0077 product=0x1234"

            """)
        var emu = """
            mc_setbmc 0x20
            mc_add 0x20 0 has-device-sdrs 0x23 2 0x15 0x9f 0x0077 0x1234 persist_sdr
            sel_enable 0x20 50 0x0a
            mc_add_fru_data 0x20 0 256 file 0 "\(directory.file("fru.bin"))"

            """
        for sensor in setup.sensors {
            emu += "sensor_add 0x20 0 \(sensor.number) 0x01 0x01 poll 100 file \"\(directory.file("sensor-\(sensor.number).value"))\"\n"
            emu += String(
                format: "sensor_set_threshold 0x20 0 %d settable 111000 0x%02x 0x%02x 0x%02x 00 00 00\n",
                Int(sensor.number), sensor.upperNonRecoverable, sensor.upperCritical, sensor.upperNonCritical)
        }
        if let version = setup.sdrVersion {
            let data = [0x77, 0x00, 0x00] + Array("SDRVER:\(version)".utf8)
            let record = [0x00, 0x00, 0x51, 0xC0, UInt8(data.count)] + data
            emu += "main_sdr_add 0x20 " + record.map { String(format: "0x%02x", $0) }.joined(separator: " ") + "\n"
        }
        emu += "mc_enable 0x20\n"
        try directory.write("sim.emu", emu)
    }

    private func sdrs() -> String {
        var text = """
            sdr type 18
            \tdevice_slave_address\t0x20
            \tdevice_channel_number\t0
            \tchassis\t\ttrue
            \tipmb_event_gen\t\tfalse
            \tipmb_event_recv\t\tfalse
            \tfru_inventory\t\ttrue
            \tsel\t\t\ttrue
            \tsdr\t\t\ttrue
            \tsensor\t\t\ttrue
            \tentity_id\t\tsystem_board
            \tentity_instance\t\t1
            \tid_string\t\t"exup sim"
            endsdr

            """
        for sensor in setup.sensors {
            text += """
                sdr type 1
                \tsensor_owner_id\t\t0x20
                \tsensor_owner_lun\t0
                \tchannel_number\t\t0
                \tsensor_number\t\t\(sensor.number)
                \tentity_id\t\tsystem_board
                \tentity_instance\t\t1
                \tsensor_type\t\tTemperature
                \tinit_scanning\t\ttrue
                \tinit_sensor_type\ttrue
                \tdefault_sensor_scan_on\ttrue
                \tevent_reading_type_code\t1
                \tanalog_data_format\tunsigned
                \trate_unit\t\tnone
                \tmodifier_unit\t\tnone
                \tpercentage\t\tfalse
                \tbase_unit\t\tdegrees_C
                \tmodifier_unit_code\tunspecified
                \tlinearization\t\tlinear
                \tm\t\t\t1
                \ttolerance\t\t0
                \tb\t\t\t0
                \taccuracy\t\t1
                \taccuracy_exp\t\t0
                \tsensor_direction\tinput
                \tr_exp\t\t\t0
                \tb_exp\t\t\t0
                \tsensor_maximum\t\t255
                \tsensor_minimum\t\t0
                \tunc_thrsh_readable\ttrue
                \tuc_thrsh_readable\ttrue
                \tunr_thrsh_readable\ttrue
                \tid_string\t\t"\(sensor.name)"
                endsdr

                """
        }
        return text
    }

    // MARK: - Process

    private func start() throws {
        let process = try BackgroundProcess([
            "ipmi_sim", "-c", directory.file("lan.conf"), "-f", directory.file("sim.emu"),
            "-s", directory.file("state"), "-n",
        ])
        self.process = process
        let hexPort = String(format: "%04X", port)
        for _ in 0..<300 {
            if let table = try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8), table.contains("0100007F:\(hexPort)") { return }
            usleep(10_000)
        }
        throw TestFailure("ipmi_sim did not open 127.0.0.1:\(port): \(process.output)")
    }

    /// Restarts the simulator (same port, same files): a BMC reset.
    public func restart() throws {
        stop()
        try start()
    }

    static func freeUDPPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("bind: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The plugin, compiled once per machine and source version.
    static func plugin() throws -> String {
        let source = PythonTools.repositoryRoot(from: #filePath) + "/Tests/Support/bmc-sim/exup_sim_plugin.c"
        let text = try String(contentsOfFile: source, encoding: .utf8)
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let output = NSTemporaryDirectory() + "/exup-sim-plugin-\(String(hash, radix: 16)).so"
        if FileManager.default.fileExists(atPath: output) { return output }
        let temporary = output + ".\(getpid())"
        let compiled = try Subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", temporary, source])
        guard compiled.status == 0 else { throw TestFailure("cannot build the ipmi_sim plugin (libopenipmi-dev installed?): \(compiled.stderr)") }
        rename(temporary, output)
        return output
    }
}

/// IPMI FRU images (Platform Management FRU Information Storage Definition 1.0): a common header, a
/// board info area and a product info area, with 8-bit ASCII type/length fields.
public enum FRUImage {
    public static func build(productName: String?, boardProductName: String?, size: Int = 256) -> [UInt8] {
        func field(_ s: String) -> [UInt8] { let b = Array(s.utf8.prefix(63)); return [0xC0 | UInt8(b.count)] + b }
        func area(_ fixed: [UInt8], _ fields: [String]) -> [UInt8] {
            var body: [UInt8] = [1, 0] + fixed + fields.flatMap(field) + [0xC1]
            while (body.count + 1) % 8 != 0 { body.append(0) }
            body[1] = UInt8((body.count + 1) / 8)
            body.append(UInt8((256 - Int(body.reduce(0) { $0 &+ $1 })) & 0xFF))
            return body
        }
        var areas: [UInt8] = []
        var header: [UInt8] = [1, 0, 0, 0, 0, 0, 0]
        if let boardProductName {
            header[3] = UInt8(1 + areas.count / 8)
            areas += area([0, 0, 0, 0], ["NEC", boardProductName, "BSN0001", "BPN-1", ""])
        }
        if let productName {
            header[4] = UInt8(1 + areas.count / 8)
            areas += area([0], ["NEC", productName, "N8100-1234", "FR1.0", "SN12345", "", ""])
        }
        header.append(UInt8((256 - Int(header.reduce(0) { $0 &+ $1 })) & 0xFF))
        var image = header + areas
        image += [UInt8](repeating: 0, count: max(0, size - image.count))
        return image
    }
}
