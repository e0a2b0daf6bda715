import ExupCore
import ExupTesting
import Foundation
import Testing

/// The update program inherits stdin, stdout and stderr from the agent and nothing else: not the agent's
/// connections to the manager, its control socket, its lock or its journal.
@Suite(.serialized) final class ProgramDescriptorTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }

    init() throws { fleet = try TestFleet() }

    @Test("the program's open descriptors: 0, 1, 2, and only what the shell itself opened")
    func onlyStandardDescriptors() throws {
        // A child shell lists the program's descriptors (no redirection in the program itself, which dash
        // would keep copies of).
        try manager.add(
            try fleet.packages.build(
                id: "bmc-2.31", module: "bmc-firmware", version: "2.31", releaseDate: "2026-03-01",
                program: """
                    sh -c 'ls -l /proc/$1/fd/ > "$2"' list $$ "$SERVER/fds.log"
                    printf '2.31 01020304\\n' > "$SERVER/bmc-firmware"
                    """))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        _ = try manager.approve("web01", ["bmc-firmware"])
        try web01.runOnce()
        let listing = try String(contentsOfFile: web01.dir.file("fds.log"), encoding: .utf8)
        // Lines of `ls -l`: "lr-x------ 1 root root 64 Dec  7 06:40 0 -> /dev/null".
        let fds = listing.split(separator: "\n").compactMap { line -> [String]? in
            guard let arrow = line.range(of: " -> ") else { return nil }
            return [String(line[..<arrow.lowerBound].split(separator: " ").last ?? ""), String(line[arrow.upperBound...])]
        }
        // dash keeps its script open and copies of 0–2; anything else came from the agent.
        let standard = Set(fds.filter { ["0", "1", "2"].contains($0[0]) }.map { $0[1] })
        let inherited = fds.filter { !["0", "1", "2"].contains($0[0]) && !$0[1].hasSuffix("/payload/apply.sh") && !standard.contains($0[1]) }
        #expect(inherited.isEmpty, "descriptors inherited from the agent: \(inherited)")
        #expect(!listing.contains("socket:"), "\(listing)")
    }
}
