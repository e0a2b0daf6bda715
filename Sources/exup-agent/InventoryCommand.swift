import Agent
import ArgumentParser
import ExupCore
import ExupSystem
import FoundationEssentials
import Inventory

struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Show what this server is and the version of every module.",
        discussion: """
            Reads the model (FRU, else SMBIOS), the OS (os-release), the BMC firmware, system BIOS and SDR \
            versions through IPMI, the BMC's sensors, and OS package versions (dpkg or rpm). Each module says \
            where its version came from. Exit status 0: everything read; 2: partial (the problems are listed); \
            1: the configuration is wrong.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("package"), help: "Also report this OS package as module package:NAME (repeatable).")
    var packages: [String] = []

    @Flag(help: "Report every installed OS package.")
    var allPackages = false

    func run() throws {
        var config = try options.load()
        if allPackages {
            config.inventory.packageNames = nil
        } else if !packages.isEmpty {
            config.inventory.packageNames = (config.inventory.packageNames ?? []) + packages
        }
        let inventory = InventoryCollector(config.inventory).collect()
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(inventory), as: UTF8.self))
        } else {
            print(InventoryText.render(inventory))
        }
        if inventory.isPartial { throw ExitCode(2) }
    }
}

enum LocalFileExists {
    static func check(_ path: String) -> Bool { LocalFile.exists(path) }
}

/// The inventory as a person reads it: facts, then a module table, sensors and problems.
enum InventoryText {
    static func render(_ inventory: Inventory) -> String {
        var lines: [String] = []
        lines.append("model:    \(inventory.model ?? "unknown")" + (inventory.modelSource.map { "  (\($0))" } ?? ""))
        let os = inventory.os.map { "\($0)" } ?? "unknown"
        lines.append("os:       \(inventory.osName ?? os)  [\(os)]")
        lines.append("packages: \(inventory.packageSystem.rawValue)")
        lines.append("")
        lines.append(
            table(
                ["MODULE", "VERSION", "SOURCE", "DETAIL"],
                inventory.modules.map {
                    [$0.id, $0.version ?? "-", $0.source, $0.error ?? $0.detail ?? ""]
                }))
        if let sensors = inventory.sensors {
            lines.append("")
            if sensors.isEmpty {
                lines.append("sensors: none")
            } else {
                lines.append(
                    table(
                        ["SENSOR", "STATE", "READING", "TYPE"],
                        sensors.map { sensor in
                            let reading = sensor.reading.map { format($0) + (sensor.unit.isEmpty ? "" : " " + sensor.unit) } ?? "-"
                            return [sensor.name, sensor.state.rawValue, reading, sensor.type]
                        }))
            }
        }
        if !inventory.problems.isEmpty {
            lines.append("")
            lines.append("problems (partial inventory):")
            lines += inventory.problems.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
