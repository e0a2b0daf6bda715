import ApplicationLog
import ExupCore
import ExupFormats
import ExupTesting
import Foundation
import Repository
import Synchronization
import TUF
import Testing

/// Managers that use this repository (seed §2.2.8, R141–R144), with the repository's clock injected so
/// two months pass in a test: presence keeps their packages, silence retires them.
@Suite struct PresenceTests {
    let dir: TemporaryDirectory
    let vendor: TestVendor
    let now = ManualClock(1_795_651_200)  // 2026-11-26T00:00:00Z
    let repository: RepositoryService
    let platform = Platform(model: "Express5800/R120h-1M", os: OSIdentity(parsing: "debian:12"))

    init() throws {
        dir = try TemporaryDirectory()
        vendor = try TestVendor(in: dir)
        let paths = RepositoryPaths(dataDirectory: dir.file("data"))
        let secrets = try Secrets.loadOrCreate(paths)
        let clock = now
        repository = try RepositoryService(
            paths: paths, keys: secrets.keys, trustedKeysDirectory: vendor.trustDirectory,
            clock: { UTCTime(seconds: clock.seconds) })
    }

    func advance(to seconds: Int64) { now.set(seconds) }

    func add(_ id: String, version: String) async throws -> AddResult {
        var info = InfoXML()
        info.id = id
        info.version = version
        let file = try HandPackage(info: info.bytes).write(to: dir, name: "\(id).zip", signedWith: vendor.key)
        return await repository.add(file: file, name: "\(id).zip", mode: .needed, actor: "test")
    }

    @Test("a package only another manager needs is kept while it sends presence, refused a normal delete, and dropped two months after its last word")
    func retirement() async throws {
        let t0 = now.seconds
        #expect(try await add("bmc-2.31", version: "2.31").code == .notNeeded, "nobody needs it yet")
        let answer = try await repository.receivePresence(Presence(manager: "internal-1", version: "0.1.0", platforms: [platform], previous: []))
        #expect(answer.retiredAfter == "2027-01-26T00:00:00Z")
        #expect(try await add("bmc-2.31", version: "2.31").code == .added, "served for the other manager (R011)")
        let normal = try await repository.delete(ids: ["bmc-2.31"], force: false, actor: "admin")
        #expect(normal.first?.code == .inUseByOtherManager)

        // A month later it speaks again: the deadline moves to two months from then (R144).
        advance(to: t0 + 31 * 86_400)
        _ = try await repository.receivePresence(Presence(manager: "internal-1", version: "0.1.0", platforms: [platform], previous: []))
        advance(to: t0 + 62 * 86_400)
        #expect(try await repository.retireSilentManagers().isEmpty)
        #expect(try await repository.list(actor: "test").map(\.id) == ["bmc-2.31"])

        let deadline = PresenceDeadline.deadline(after: t0 + 31 * 86_400)
        advance(to: deadline - 1)
        #expect(try await repository.retireSilentManagers().isEmpty, "not a second early")
        advance(to: deadline)
        #expect(try await repository.retireSilentManagers() == ["internal-1"])
        #expect(try await repository.list(actor: "test").isEmpty, "what only it needed is gone (R143)")
        let codes = try repository.catalog.logEntries().map(\.code)
        #expect(codes.contains("X06") && codes.contains("X07") && codes.contains("X01"), "\(codes)")
    }

    @Test("a package two managers need stays when one of them retires; a presence replaces that manager's earlier needs")
    func sharedNeeds() async throws {
        let other = Platform(model: "Express5800/T110k", os: OSIdentity(parsing: "debian:12"))
        let t0 = now.seconds
        _ = try await repository.receivePresence(Presence(manager: "a", version: "0.1.0", platforms: [platform], previous: []))
        advance(to: t0 + 40 * 86_400)
        _ = try await repository.receivePresence(Presence(manager: "b", version: "0.1.0", platforms: [platform, other], previous: []))
        #expect(try await add("bmc-2.31", version: "2.31").code == .added)
        advance(to: PresenceDeadline.deadline(after: t0))
        #expect(try await repository.retireSilentManagers() == ["a"])
        #expect(try await repository.list(actor: "test").map(\.id) == ["bmc-2.31"], "b still needs it")
        _ = try await repository.receivePresence(Presence(manager: "b", version: "0.1.0", platforms: [other], previous: []))
        #expect(try await repository.list(actor: "test").isEmpty, "b's new needs no longer include that model")
    }
}

@Suite struct LogRetentionTests {
    @Test("retention removes entries older than the age limit, then the oldest beyond the count; the newest stay")
    func retention() throws {
        let dir = try TemporaryDirectory()
        let catalog = try Catalog(path: dir.file("catalog.sqlite"))
        for time in Int64(1)...50 { try catalog.log(AppLogEntry(time: time * 1000, event: .packageAdded, actor: "t", cause: "\(time)")) }
        #expect(try catalog.pruneLog(olderThan: 10_500, keep: 1_000) == 10, "entries 1-10 are older than the limit")
        #expect(try catalog.pruneLog(olderThan: 0, keep: 25) == 15, "then only the newest 25 stay")
        let left = try catalog.logEntries(limit: 100).compactMap(\.cause)
        #expect(left == (26...50).map(String.init))
    }
}

@Suite struct RemoteVersionTests {
    @Test("R009: a remote repository on an older exup is flagged; the same or newer is not")
    func older() {
        #expect(RemoteRepository.isOlder("0.1.0", than: "0.2.0"))
        #expect(RemoteRepository.isOlder("0.9.9", than: "0.10.0"), "numeric, not text, order")
        #expect(RemoteRepository.isOlder("1.0~rc1", than: "1.0"))
        #expect(!RemoteRepository.isOlder("0.2.0", than: "0.2.0") && !RemoteRepository.isOlder("0.3.0", than: "0.2.0"))
    }
}

extension LogRetentionTests {
    @Test("the log is bounded by bytes too: the oldest entries go until the rest fits; long fields are cut at insert")
    func byteBound() throws {
        let dir = try TemporaryDirectory()
        let catalog = try Catalog(path: dir.file("catalog.sqlite"))
        let cause = String(repeating: "x", count: 4000)
        for time in Int64(1)...200 {
            try catalog.log(AppLogEntry(time: time, event: .loginFailed, actor: String(repeating: "m", count: 10_000), cause: "\(time) " + cause))
        }
        let entries = try catalog.logEntries(limit: 1)
        #expect(entries.first?.actor.count == 256, "a 10,000-character user name is cut")
        // Each row counts 64 + 12 (message) + 256 + ~4003 bytes: 100 KiB holds 23 of them.
        #expect(try catalog.pruneLog(olderThan: 0, keep: 1_000, maxBytes: 100 << 10) == 177)
        let left = try catalog.logEntries(limit: 1000).compactMap { $0.cause?.split(separator: " ").first.map(String.init) }
        #expect(left == (178...200).map(String.init))
        #expect(try catalog.pruneLog(olderThan: 0, keep: 1_000, maxBytes: 100 << 10) == 0, "nothing more once it fits")
    }
}
