// exup-bench: measurements `make bench` prints (never part of the tests, never shipped).
//   exup-bench seed-repository DATA PACKAGES MODELS
//   exup-bench seed-agents DATA COUNT CREDENTIALS-FILE
// Seeds DATA with PACKAGES packages spread over MODELS models (one transaction, then one full publish),
// then adds one real signed package through the repository's own add path and prints how long the
// add (verify, store, retention, re-publish) took.
import ExupCore
import ExupCrypto
import ExupSystem
import FoundationEssentials
import Manager
import ManagerSQLite
import PackageFormat
import Repository
import TUF

#if canImport(Glibc)
    import Glibc
#endif

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    try body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
}

func seed(data: String, packages: Int, models: Int) async throws {
    let paths = RepositoryPaths(dataDirectory: data)
    let secrets = try Secrets.loadOrCreate(paths)
    let repository = try RepositoryService(paths: paths, keys: secrets.keys)
    let catalog = repository.catalog
    let modelNames = (0..<models).map { "Express5800/B\(1000 + $0)" }
    let seedTime = milliseconds {
        try? catalog.servePlatforms(modelNames.map { Platform(model: $0, os: OSIdentity(parsing: "debian:12")) }, origin: "bench")
    }
    var rows: [Catalog.StoredPackageRow] = []
    for i in 0..<packages {
        let model = modelNames[i % models]
        let info = PackageInfo(
            id: "pkg-\(i)", name: "package \(i)", releaseDate: CalendarDate("2026-01-01")!,
            moduleID: "module-\(i / models % 40)", moduleName: "module", version: "1.\(i)",
            targets: [PackageTarget(model: model, os: .anyLinux)], apply: .init(path: "payload/apply.sh"))
        rows.append(
            Catalog.StoredPackageRow(
                info: info, sha256: SHA256Hasher.hash(Array("pkg-\(i)".utf8)).hex, size: 4096,
                pinned: true, addedAt: 1_790_000_000, origin: "bench"))
    }
    let insertTime = try milliseconds { try catalog.bulkInsert(rows) }
    let publishTime = try await repository.republishAll()
    print(
        String(
            format: "seeded %d packages over %d models: insert %.0f ms, full publish %.0f ms (platforms %.0f ms)",
            packages, models, insertTime, publishTime, seedTime))

    // One real add: a signed package for one of the models.
    let work = data + "/bench-work"
    try LocalFile.makeDirectories(work + "/payload")
    let vendor = try Ed25519PrivateKey.generate()
    try LocalFile.writeAtomically(Array(try vendor.publicKey.pem.utf8), to: paths.trustedKeys + "/bench.pem")
    try LocalFile.writeAtomically(Array("#!/bin/sh\nexit 0\n".utf8), to: work + "/payload/apply.sh", mode: 0o755)
    let info = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ExUpInfo schemaVersion="1"><Package id="bench-new" name="bench" releaseDate="2026-06-01"/><Module id="module-0" name="m"/>
        <Version>99.0</Version><Targets><Target model="\(modelNames[0])" os="linux"/></Targets>
        <Install><Apply command="payload/apply.sh"/></Install></ExUpInfo>
        """
    let built = try PackageBuilder.build(infoXML: Array(info.utf8), payloadDirectory: work + "/payload", key: vendor, output: work + "/new.zip")
    let upload = repository.pool.incomingPath()
    _ = try LocalFile.read(built.path, limit: 1 << 30).map { try LocalFile.writeAtomically($0, to: upload) }
    var outcome = ""
    var addTime = 0.0
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    let result = await repository.add(file: upload, name: "new.zip", mode: .needed, actor: "bench")
    clock_gettime(CLOCK_MONOTONIC, &end)
    addTime = Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
    outcome = result.code.rawValue
    print(String(format: "add one package to %d (verify, store, retention, re-publish): %.1f ms (%@)", packages, addTime, outcome))
}

/// Enrols `count` agents through the manager's own enrolment path and writes their credentials, one per
/// line, for wrk's Lua scripts.
func seedAgents(data: String, count: Int, out: String) async throws {
    let paths = RepositoryPaths(dataDirectory: data)
    let secrets = try Secrets.loadOrCreate(paths)
    let repository = try RepositoryService(paths: paths, keys: secrets.keys)
    let manager = try await ManagerService.open(
        dataDirectory: data, store: try SQLiteManagerStore(path: data + "/manager.sqlite"), repository: repository)
    let token = try await manager.enrolment.createToken(expiresInSeconds: 3600, uses: count, actor: "bench")
    var lines = ""
    let elapsed = try await asyncMilliseconds {
        for i in 0..<count {
            let answer = try await manager.enrolment.enrol(EnrolmentRequest(token: token, name: "bench-\(i)", hostname: "bench-\(i)"))
            lines += answer.credential + "\n"
        }
    }
    try LocalFile.writeAtomically(Array(lines.utf8), to: out, mode: 0o600)
    print("enrolled \(count) agents in \(Int(elapsed)) ms")
}

func asyncMilliseconds(_ body: () async throws -> Void) async rethrows -> Double {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    try await body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
}

let arguments = CommandLine.arguments
if arguments.count == 5, arguments[1] == "seed-agents", let count = Int(arguments[3]) {
    do { try await seedAgents(data: arguments[2], count: count, out: arguments[4]) } catch {
        print("exup-bench: \(error)")
        exit(1)
    }
} else if arguments.count == 5, arguments[1] == "seed-repository", let packages = Int(arguments[3]), let models = Int(arguments[4]) {
    do { try await seed(data: arguments[2], packages: packages, models: models) } catch {
        print("exup-bench: \(error)")
        exit(1)
    }
} else {
    print("usage: exup-bench seed-repository DATA PACKAGES MODELS | seed-agents DATA COUNT CREDENTIALS-FILE")
    exit(64)
}
