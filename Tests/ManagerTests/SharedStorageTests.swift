import ExupTesting
import Foundation
import Synchronization
import Testing
import Transport

/// `[storage] pool-dir` and `keys-dir`: managers with data directories of their own share the package
/// pool, the TUF keys and the secrets; started at once, they create the keys and secrets once.
@Suite struct SharedStorageTests {
    @Test("two managers started at once on one keys and pool directory: one administrator token, one TUF root, one credential key")
    func startedAtOnce() throws {
        let shared = try TemporaryDirectory(prefix: "exup-shared")
        let config = try shared.write(
            "manager.toml", "[storage]\npool-dir = \"\(shared.file("pool"))\"\nkeys-dir = \"\(shared.file("keys"))\"\n")
        let managers = Mutex<[ManagerProcess]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                let manager = try ManagerProcess(extraArguments: ["--config", config])
                managers.withLock { $0.append(manager) }
            } catch { failures.withLock { $0.append("\(error)") } }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let (a, b) = try managers.withLock { list in (try #require(list.first), try #require(list.last)) }
        #expect(a.data.path != b.data.path)
        #expect(!a.adminToken.isEmpty && a.adminToken == b.adminToken, "the first replica's DATA/admin.token works against every replica")
        #expect(try a.admin.get(b.url + "/api/v1/servers", maxBytes: 1 << 20).status == 200)
        let rootA = try a.admin.get(a.url + "/repo/v1/metadata/1.root.json", maxBytes: 1 << 20)
        let rootB = try b.admin.get(b.url + "/repo/v1/metadata/1.root.json", maxBytes: 1 << 20)
        // Each manager signs its own first root (its expiry is its start time), with the one set of keys.
        func keys(_ body: [UInt8]) throws -> NSDictionary? {
            ((try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["signed"] as? [String: Any])?["keys"] as? NSDictionary
        }
        #expect(rootA.status == 200 && rootB.status == 200)
        #expect(try keys(rootA.body) != nil && keys(rootA.body) == keys(rootB.body), "one set of TUF keys")
        #expect(FileManager.default.fileExists(atPath: shared.file("keys/agent-credentials.key")))
        #expect(!FileManager.default.fileExists(atPath: a.data.file("keys")) && !FileManager.default.fileExists(atPath: a.data.file("pool")))
        let incoming = try FileManager.default.contentsOfDirectory(atPath: shared.file("pool/.incoming"))
        #expect(incoming.count == 2, "each replica has its own uploads in progress: \(incoming)")
    }

    @Test("an existing manager given an empty keys-dir refuses to start instead of making new keys and secrets")
    func existingManagerMovesFirst() throws {
        let manager = try ManagerProcess()
        let token = manager.adminToken
        manager.stop()
        let shared = try TemporaryDirectory(prefix: "exup-shared")
        let config = try shared.write("manager.toml", "[storage]\nkeys-dir = \"\(shared.file("keys"))\"\n")
        let refused = try Subprocess.run([
            BuiltProducts.path("exup-manager"), "serve", "--data-dir", manager.data.path, "--listen", "127.0.0.1:0", "--config", config,
        ])
        #expect(refused.status != 0 && refused.stderr.contains("Move them first"), "\(refused.stderr)")
        #expect(manager.adminToken == token, "nothing replaced")
        #expect(!FileManager.default.fileExists(atPath: shared.file("keys/timestamp.pem")))
    }

    @Test("[storage] paths must be absolute")
    func relativeRefused() throws {
        let dir = try TemporaryDirectory()
        let config = try dir.write("manager.toml", "[storage]\npool-dir = \"pool\"\n")
        let result = try Subprocess.run([BuiltProducts.path("exup-manager"), "check-config", "--config", config])
        #expect(result.status != 0 && result.stdout.contains("absolute"), "\(result.stdout)\(result.stderr)")
    }
}
