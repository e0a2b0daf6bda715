import ExupCore
import Inventory

/// The pre-flight health gate: before a firmware item (system BIOS, BMC firmware, SDR) the BMC's sensors
/// are read through libipmimonitoring; a critical one (a failing PSU, overheating) stops the item, naming
/// the sensor. Sensors that cannot be read stop it only with `health-gate = "strict"`; the approval's
/// override-health-gate skips the gate.
struct HealthGate {
    enum Mode: String, Sendable, CaseIterable { case normal, strict, off }

    let mode: Mode
    let sources: InventorySources

    /// Why the item must not start, or nil.
    func refusal(for entry: ApplyJournal.Entry) -> String? {
        guard mode != .off, entry.kind == .apply, ModuleID.firmware.contains(entry.moduleID), !entry.options.overrideHealthGate else { return nil }
        var sources = sources
        sources.readSensors = true
        sources.packageNames = []
        let inventory = InventoryCollector(sources).collect()
        guard let sensors = inventory.sensors, !sensors.isEmpty else {
            guard mode == .strict else { return nil }
            let why = inventory.problems.first { $0.hasPrefix("sensors") } ?? inventory.problems.first ?? "no sensor answered"
            return "health gate (strict): the BMC's sensors cannot be read (\(why)); approve with override-health-gate to apply anyway"
        }
        let critical = sensors.filter { $0.state == .critical }
        guard !critical.isEmpty else { return nil }
        let named = critical.map { sensor in
            "\(sensor.name) is critical" + (sensor.reading.map { " (\(Self.format($0)) \(sensor.unit))" } ?? "")
        }.joined(separator: ", ")
        return "health gate: \(named); fix it, or approve with override-health-gate to apply anyway"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
