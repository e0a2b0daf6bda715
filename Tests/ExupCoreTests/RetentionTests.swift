import ExupCore
import ExupTesting
import Testing

/// §2.2.2 generation management (R107–R113) and the deletion history §2.2.4–§2.2.5 (R120, R128–R130).
@Suite struct RetentionTests {
    func generations(_ versions: [String], module: String = "bmc-firmware", os: String = "linux") -> [StoredPackage] {
        versions.enumerated().map { i, v in
            StoredPackage(info: pkg("\(module)-\(v)-\(os)", module: module, version: v, date: "2026-01-\(10 + i)", os: os))
        }
    }

    @Test("R107/R109: at most 3 generations per (model, OS, module); older ones go")
    func threeGenerations() {
        let stored = generations(["2.28", "2.29", "2.30", "2.31"])
        let kept = Retention.kept(stored, platforms: [r120hDebian])
        #expect(Set(kept.keys) == ["bmc-firmware-2.29-linux", "bmc-firmware-2.30-linux", "bmc-firmware-2.31-linux"])
    }

    @Test("generations count versions in version order, not release order")
    func versionOrderNotDate() {
        let stored = [
            StoredPackage(info: pkg("new-but-old-version", version: "1.0", date: "2026-06-01")),
            StoredPackage(info: pkg("v2", version: "2.0", date: "2025-01-01")),
            StoredPackage(info: pkg("v3", version: "3.0", date: "2025-01-02")),
            StoredPackage(info: pkg("v10", version: "10.0", date: "2025-01-03")),
        ]
        #expect(Set(Retention.kept(stored, platforms: [r120hDebian]).keys) == ["v2", "v3", "v10"])
    }

    @Test("R108: a server's previous generation is kept beyond the 3")
    func previousGeneration() {
        let stored = generations(["2.27", "2.28", "2.29", "2.30", "2.31"])
        let previous = [PreviousGeneration(platform: r120hDebian, moduleID: "bmc-firmware", version: "2.27")]
        let kept = Retention.kept(stored, platforms: [r120hDebian], previous: previous)
        #expect(kept["bmc-firmware-2.27-linux"] == .previousGeneration)
        #expect(kept["bmc-firmware-2.28-linux"] == nil)
        #expect(kept.count == 4)
    }

    @Test("R111: pinned (add-all) packages are exempt")
    func pinned() {
        var stored = generations(["2.28", "2.29", "2.30", "2.31"])
        stored[0].pinned = true
        stored.append(StoredPackage(info: pkg("orphan", version: "1", models: ["NoSuchModel"]), pinned: true))
        let kept = Retention.kept(stored, platforms: [r120hDebian])
        #expect(kept["bmc-firmware-2.28-linux"] == .pinned)
        #expect(kept["orphan"] == .pinned)
    }

    @Test("R110: two OSes on one model are kept apart, so the model shows more than 3")
    func twoOSes() {
        let stored = generations(["1", "2", "3", "4"], os: "debian") + generations(["5", "6", "7", "8"], os: "rhel")
        let kept = Retention.kept(stored, platforms: [r120hDebian, r120hRHEL])
        #expect(kept.count == 6)
        #expect(kept["bmc-firmware-1-debian"] == nil && kept["bmc-firmware-5-rhel"] == nil)
    }

    @Test("a package for all Linux counts in each OS's window")
    func sharedAcrossOSes() {
        let stored = generations(["1", "2", "3"], os: "debian") + generations(["9"], os: "linux")
        let kept = Retention.kept(stored, platforms: [r120hDebian, r120hRHEL])
        #expect(kept["bmc-firmware-1-debian"] == nil, "the linux package pushes debian's oldest out of its window")
        #expect(kept["bmc-firmware-9-linux"] != nil)
    }

    @Test("modules are counted separately")
    func perModule() {
        let stored = generations(["1", "2", "3"], module: "bmc-firmware") + generations(["1", "2", "3"], module: "system-bios")
        #expect(Retention.kept(stored, platforms: [r120hDebian]).count == 6)
    }

    @Test("packages no served platform needs are removed; incompatible ones for a served model stay listed")
    func unneededAndIncompatible() {
        let stored = [
            StoredPackage(info: pkg("other", version: "1", models: ["T120h"])),
            StoredPackage(info: pkg("future", version: "1", schema: 2)),
        ]
        let kept = Retention.kept(stored, platforms: [r120hDebian])
        #expect(kept == ["future": .incompatible])
    }

    @Test("R112/R116: needed-only add verdicts")
    func addVerdicts() {
        let stored = generations(["2.29", "2.30", "2.31"])
        #expect(Retention.verdict(adding: pkg("new", version: "2.32"), to: stored, platforms: [r120hDebian]) == .needed)
        #expect(Retention.verdict(adding: pkg("old", version: "2.20"), to: stored, platforms: [r120hDebian]) == .tooOld)
        #expect(Retention.verdict(adding: pkg("x", version: "9", models: ["T120h"]), to: stored, platforms: [r120hDebian]) == .noApplicableServer)
    }

    @Test("randomized: retention never drops a package among the 3 newest of any window, nor a pinned one")
    func randomizedInvariant() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let oses = ["debian", "rhel", "linux"]
            let stored = (0..<Int.random(in: 1...14, using: &rng)).map { i in
                StoredPackage(
                    info: pkg(
                        "p\(i)", module: ["a", "b"].randomElement(using: &rng)!,
                        version: "\(Int.random(in: 1...9, using: &rng))", os: oses.randomElement(using: &rng)!),
                    pinned: Int.random(in: 0..<6, using: &rng) == 0)
            }
            let platforms: Set<Platform> = [r120hDebian, r120hRHEL]
            let kept = Retention.kept(stored, platforms: platforms)
            for s in stored where s.pinned { #expect(kept[s.info.id] != nil) }
            for platform in platforms {
                for module in ["a", "b"] {
                    let window = stored.map(\.info).filter { $0.moduleID == module && $0.applies(to: platform) }
                    let versions = Set(window.map(\.version)).sorted { DebianVersion.compare($0, $1) > 0 }.prefix(3)
                    for p in window where versions.contains(p.version) { #expect(kept[p.id] != nil, "\(p.id) in \(platform)") }
                }
            }
            for s in stored where kept[s.info.id] == nil {
                #expect(!s.pinned)
            }
        }
    }
}

@Suite struct DeletionHistoryTests {
    let platforms: Set<Platform> = [r120hDebian]

    @Test("R120: a deleted package is not fetched again")
    func deletedNotRefetched() {
        var history = DeletionHistory()
        history.record("p231")
        let offered = [pkg("p231", version: "2.31"), pkg("p232", version: "2.32")]
        let fetch = FetchSelection.toFetch(offered: offered, stored: [], deleted: history, platforms: platforms)
        #expect(fetch.map(\.id) == ["p232"])
    }

    @Test("R128/R129: clearing erases every record at once, and the next sync may fetch again")
    func clearAll() {
        var history = DeletionHistory(["a", "b"])
        history.clearAll()
        #expect(history.packageIDs.isEmpty)
        let fetch = FetchSelection.toFetch(offered: [pkg("a", version: "1")], stored: [], deleted: history, platforms: platforms)
        #expect(fetch.map(\.id) == ["a"])
    }

    @Test("R130: after clearing, a package 3 or more generations older than the newest is still not fetched")
    func tooOldStaysOut() {
        let stored = ["2.29", "2.30", "2.31"].map { StoredPackage(info: pkg("p\($0)", version: $0)) }
        let offered = [pkg("p2.28", version: "2.28"), pkg("p2.32", version: "2.32")]
        let fetch = FetchSelection.toFetch(offered: offered, stored: stored, deleted: DeletionHistory(), platforms: platforms)
        #expect(fetch.map(\.id) == ["p2.32"])
        let older = FetchSelection.toFetch(
            offered: [pkg("p2.27", version: "2.27")], stored: stored,
            deleted: DeletionHistory(), platforms: platforms)
        #expect(older.isEmpty)
    }

    @Test("R097: only packages that apply to a served platform are fetched, each once")
    func onlyNeeded() {
        let offered = [pkg("mine", version: "1"), pkg("theirs", version: "1", models: ["T120h"]), pkg("mine", version: "1")]
        let fetch = FetchSelection.toFetch(offered: offered, stored: [], deleted: DeletionHistory(), platforms: platforms)
        #expect(fetch.map(\.id) == ["mine"])
    }

    @Test("a sync offering 5 generations at once fetches only the newest 3")
    func bulkOffer() {
        let offered = (1...5).map { pkg("v\($0)", version: "\($0)") }
        let fetch = FetchSelection.toFetch(offered: offered, stored: [], deleted: DeletionHistory(), platforms: platforms)
        #expect(Set(fetch.map(\.id)) == ["v3", "v4", "v5"])
    }
}
