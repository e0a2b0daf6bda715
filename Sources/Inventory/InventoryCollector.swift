import ExupCore
import ExupSystem

/// What to read, and from where (the agent's configuration; tests point every path at sandboxes).
public struct InventorySources: Sendable {
    public var ipmi: IPMIConfiguration
    /// The root under which `/sys/class/dmi/id` and `/etc/os-release` are read.
    public var root = "/"
    public var packages = PackageDatabaseConfiguration()
    /// OS packages reported as `package:NAME` modules; nil = every installed package.
    public var packageNames: [String]? = []
    public var readSensors = true
    public var agentVersion = ExupVersion.string

    public init(ipmi: IPMIConfiguration = IPMIConfiguration()) { self.ipmi = ipmi }
}

/// Reads the whole inventory. IPMI uses one session: after an authentication failure or a timeout no
/// further IPMI call is made, so a wrong password costs one round trip, not one per module; the rest of
/// the inventory (SMBIOS, os-release, packages) is still read, and `problems` says what is missing.
public struct InventoryCollector: Sendable {
    public var sources: InventorySources

    public init(_ sources: InventorySources) { self.sources = sources }

    public func collect() -> Inventory {
        var inventory = Inventory()
        let release = OSReleaseFile(root: sources.root).fields()
        if let release {
            inventory.os = OSRelease.identity(release)
            inventory.osName = release["PRETTY_NAME"]
        }
        if inventory.os == nil { inventory.problems.append("os-release: no readable /etc/os-release with an ID under \(sources.root)") }
        let smbios = SMBIOS(root: sources.root)

        var bmc: BMCFacts?
        if sources.ipmi.driver != .none {
            let (facts, problems) = readBMC()
            bmc = facts
            inventory.problems += problems
        }

        // Model: FRU product name, else FRU board product name, else SMBIOS product_name.
        if let product = bmc?.fruProduct.map(Platform.normalizedModel), !product.isEmpty {
            (inventory.model, inventory.modelSource) = (product, "ipmi:fru-product-name")
        } else if let board = bmc?.fruBoard.map(Platform.normalizedModel), !board.isEmpty {
            (inventory.model, inventory.modelSource) = (board, "ipmi:fru-board-product-name")
        } else if let product = smbios.productName {
            (inventory.model, inventory.modelSource) = (product, "smbios:product_name")
        } else {
            inventory.problems.append("model: no FRU product name and no SMBIOS product_name")
        }

        // system-bios: IPMI System Firmware Version, else SMBIOS.
        if let bios = bmc?.systemFirmware {
            inventory.modules.append(ModuleReading(id: ModuleID.systemBIOS, name: "System BIOS", version: bios, source: "ipmi:get-system-info"))
        } else if let bios = smbios.biosVersion {
            inventory.modules.append(ModuleReading(id: ModuleID.systemBIOS, name: "System BIOS", version: bios, source: "smbios:bios_version"))
        } else {
            inventory.modules.append(
                ModuleReading(
                    id: ModuleID.systemBIOS, name: "System BIOS", version: nil, source: "smbios:bios_version",
                    error: "unavailable: neither the BMC nor SMBIOS reports a BIOS version"))
        }

        if sources.ipmi.driver != .none {
            inventory.modules.append(
                reading(
                    ModuleID.bmcFirmware, "BMC firmware", bmc?.firmware, source: "ipmi:get-device-id",
                    detail: bmc?.auxiliary.map { "auxiliary firmware revision \($0)" }, error: bmc?.firmwareError))
            if let sdr = bmc?.sdrVersion {
                inventory.modules.append(ModuleReading(id: ModuleID.sdr, name: "SDR", version: sdr, source: "ipmi:sdr-oem-record"))
            } else if let error = bmc?.sdrError {
                inventory.modules.append(ModuleReading(id: ModuleID.sdr, name: "SDR", version: nil, source: "ipmi:sdr-oem-record", error: error))
            }
            inventory.sensors = bmc?.sensors
        }

        do {
            let (system, installed) = try PackageDatabase.installed(sources.packages)
            inventory.packageSystem = system
            let names = sources.packageNames ?? installed.keys.sorted()
            for name in names {
                inventory.modules.append(
                    ModuleReading(
                        id: ModuleID.osPackagePrefix + name, name: name, version: installed[name],
                        source: system.rawValue))
            }
        } catch {
            inventory.problems.append("packages: \(error)")
            for name in sources.packageNames ?? [] {
                inventory.modules.append(
                    ModuleReading(
                        id: ModuleID.osPackagePrefix + name, name: name, version: nil, source: "packages",
                        error: "unavailable: \(error)"))
            }
        }
        inventory.modules.append(ModuleReading(id: ModuleID.agent, name: "exup agent", version: sources.agentVersion, source: "agent"))
        return inventory
    }

    private func reading(_ id: String, _ name: String, _ version: String?, source: String, detail: String? = nil, error: String?) -> ModuleReading {
        ModuleReading(
            id: id, name: name, version: version, source: source, detail: detail,
            error: version == nil ? (error ?? "unavailable") : nil)
    }

    struct BMCFacts {
        var firmware: String?
        var auxiliary: String?
        var firmwareError: String?
        var systemFirmware: String?
        var fruProduct: String?
        var fruBoard: String?
        var sdrVersion: String?
        var sdrError: String?
        var sensors: [SensorReading]?
    }

    /// Every BMC read, in one session; stops at the first error that ends the session.
    func readBMC() -> (BMCFacts, [String]) {
        var facts = BMCFacts()
        var problems: [String] = []
        let session: IPMISession
        do { session = try IPMISession(sources.ipmi) } catch {
            let message = "unavailable: \(error)"
            facts.firmwareError = message
            facts.sdrError = message
            problems.append(error.description)
            return (facts, problems)
        }
        var ended: IPMIError?
        func attempt<T>(_ what: String, _ body: () throws(IPMIError) -> T) -> T? {
            if let ended { _ = ended; return nil }
            do { return try body() } catch {
                problems.append("\(what): \(error)")
                if error.endsSession { ended = error }
                return nil
            }
        }
        if let id = attempt("bmc-firmware", { () throws(IPMIError) in try session.deviceID() }) {
            facts.firmware = id.firmwareRevision
            facts.auxiliary = id.auxiliaryRevision
        } else {
            facts.firmwareError = "unavailable: \(problems.last ?? "BMC not read")"
        }
        facts.systemFirmware = attempt("system-bios", { () throws(IPMIError) in try session.systemFirmwareVersion() }) ?? nil
        if let names = attempt("model", { () throws(IPMIError) in try session.fruNames() }) {
            (facts.fruProduct, facts.fruBoard) = (names.product, names.board)
        }
        let cacheFile = sources.ipmi.sdrCacheDirectory + "/exup-sdr-" + sources.ipmi.target.map { $0.isLetter || $0.isNumber ? $0 : "_" } + ".cache"
        do { try LocalFile.makeDirectories(sources.ipmi.sdrCacheDirectory, mode: 0o700) } catch {
            problems.append("sdr: cannot create the SDR cache directory: \(error)")
        }
        if let version = attempt("sdr", { () throws(IPMIError) in try session.sdrVersion(cacheFile: cacheFile) }) {
            facts.sdrVersion = version
        } else if ended != nil || problems.last?.hasPrefix("sdr") == true {
            facts.sdrError = "unavailable: \(problems.last ?? "")"
        }
        if sources.readSensors && ended == nil {
            do { facts.sensors = try SensorReader.read(sources.ipmi) } catch { problems.append("sensors: \(error)") }
        }
        if let ended, facts.firmware != nil, facts.sdrVersion == nil { facts.sdrError = "unavailable: \(ended)" }
        return (facts, problems)
    }
}
