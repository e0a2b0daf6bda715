import ExupTesting
import Foundation

/// The test HTTP server (python/httpd.py) on loopback serving one random blob: Range, ETag, cut and
/// endless responses. Stopped when the value goes away.
final class OriginServer {
    let files: TemporaryDirectory
    let server: BackgroundProcess
    let base: String
    let content: [UInt8]

    init(seed: UInt64, size: Int) throws {
        files = try TemporaryDirectory()
        var rng = SeededRandom(seed: seed)
        content = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try files.write("blob", content)
        let root = PythonTools.repositoryRoot(from: #filePath)
        server = try BackgroundProcess(["python3", root + "/Tests/TransportTests/python/httpd.py", files.path])
        base = "http://127.0.0.1:" + (try server.waitForLine(startingWith: "PORT"))
    }

    deinit { server.stop() }
}
