import ExupCrypto
import ExupTesting
import ExupZip
import Foundation
import PackageFormat
import Testing

/// The formats exup reads and writes, checked against independent tools: openssl, Info-ZIP zip/unzip.
@Suite struct CryptoInteropTests {
    @Test("a key pair from openssl genpkey reads, and its signatures verify in exup")
    func opensslKeys() throws {
        let openssl = try requireTool("openssl")
        let dir = try TemporaryDirectory()
        let key = dir.file("k.pem"), pub = dir.file("p.pem"), msg = try dir.write("m", "hello exup\n")
        #expect(try Subprocess.run([openssl, "genpkey", "-algorithm", "ed25519", "-out", key]).status == 0)
        #expect(try Subprocess.run([openssl, "pkey", "-in", key, "-pubout", "-out", pub]).status == 0)
        #expect(try Subprocess.run([openssl, "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", msg, "-out", dir.file("sig")]).status == 0)
        let publicKey = try Ed25519PublicKey(pem: String(contentsOfFile: pub, encoding: .utf8))
        let privateKey = try Ed25519PrivateKey(pem: String(contentsOfFile: key, encoding: .utf8))
        #expect(try privateKey.publicKey == publicKey)
        let signature = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("sig"))))
        #expect(publicKey.isValidSignature(signature, for: Array("hello exup\n".utf8)))
        #expect(!publicKey.isValidSignature(signature, for: Array("hello exup!\n".utf8)))
    }

    @Test("exup's PEM keys and signatures are accepted by openssl")
    func exupKeysInOpenSSL() throws {
        let openssl = try requireTool("openssl")
        let dir = try TemporaryDirectory()
        let key = try Ed25519PrivateKey.generate()
        try dir.write("k.pem", try key.pem)
        try dir.write("p.pem", try key.publicKey.pem)
        let message = Array("signed by exup".utf8)
        try dir.write("m", message)
        try dir.write("sig", try key.signature(for: message))
        let text = try Subprocess.run([openssl, "pkey", "-in", dir.file("k.pem"), "-noout", "-text"])
        #expect(text.status == 0 && text.stdout.contains("ED25519 Private-Key"))
        let verify = try Subprocess.run([
            openssl, "pkeyutl", "-verify", "-pubin", "-inkey", dir.file("p.pem"), "-rawin",
            "-in", dir.file("m"), "-sigfile", dir.file("sig"),
        ])
        #expect(verify.stdout.contains("Signature Verified Successfully"), "\(verify.stdout) \(verify.stderr)")
    }

    @Test("non-Ed25519 and malformed keys are refused with a reason")
    func wrongKeys() throws {
        let openssl = try requireTool("openssl")
        let dir = try TemporaryDirectory()
        #expect(
            try Subprocess.run([
                openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", dir.file("ec.pem"),
            ]).status == 0)
        let ec = try String(contentsOfFile: dir.file("ec.pem"), encoding: .utf8)
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pem: ec) }
        #expect(throws: CryptoError.self) { try Ed25519PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }
    }

    @Test("a trust directory loads *.pem keys, ignores other files and reports bad ones")
    func trustDirectory() throws {
        let dir = try TemporaryDirectory()
        let a = try Ed25519PrivateKey.generate(), b = try Ed25519PrivateKey.generate()
        try dir.write("t/a.pem", try a.publicKey.pem)
        try dir.write("t/b.pem", try b.publicKey.pem)
        try dir.write("t/README.txt", "ignored")
        try dir.write("t/broken.pem", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
        let keys = try TrustedKeys.load(directory: dir.file("t"))
        #expect(keys.keys.map(\.name) == ["a.pem", "b.pem"])
        #expect(keys.problems.count == 1 && keys.problems[0].contains("broken.pem"))
        #expect(throws: TrustError.self) { try TrustedKeys.load(directory: dir.file("missing")) }
    }

    @Test("SHA-256 matches sha256sum; base64 round-trips and refuses junk")
    func digestsAndBase64() throws {
        let dir = try TemporaryDirectory()
        var rng = SeededRandom(seed: 3)
        let data = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let path = try dir.write("d", data)
        let sum = try Subprocess.run(["sha256sum", path]).stdout.prefix(64)
        #expect(SHA256Hasher.hash(data).hex == String(sum))
        for n in 0..<70 {
            let bytes = Array(data.prefix(n))
            #expect(Base64.decode(Array(Base64.encode(bytes).utf8)) == bytes)
        }
        #expect(Base64.decode(Array("QQ==".utf8)) == [0x41])
        #expect(Base64.decode(Array("Q Q\n= =".utf8)) == [0x41])
        for junk in ["QQ=", "Q===", "QQ==QQ==", "QQ-_", "QQ=A"] { #expect(Base64.decode(Array(junk.utf8)) == nil, "\(junk)") }
    }
}

@Suite struct ZipInteropTests {
    @Test("archives made by Info-ZIP zip read back, stored, deflated and ZIP64 (-fz)")
    func infoZip() throws {
        let zip = try requireTool("zip")
        let dir = try TemporaryDirectory()
        var rng = SeededRandom(seed: 11)
        let random = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try dir.write("src/a.txt", String(repeating: "exup ", count: 10_000))
        try dir.write("src/sub/b.bin", random)
        for flags in [["-q", "-r"], ["-q", "-r", "-0"], ["-q", "-r", "-fz"]] {
            let out = dir.file("t\(flags.count)\(flags.last!).zip")
            #expect(try Subprocess.run([zip] + flags + [out, "a.txt", "sub"], directory: dir.file("src")).status == 0)
            let archive = try ZipArchive(path: out)
            #expect(Set(archive.members.map(\.name)) == ["a.txt", "sub/", "sub/b.bin"])
            #expect(try archive.contents(of: archive.member(named: "sub/b.bin")!, limit: 1 << 20) == random)
            #expect(
                try archive.contents(of: archive.member(named: "a.txt")!, limit: 1 << 20) == Array(String(repeating: "exup ", count: 10_000).utf8))
        }
    }

    @Test("Info-ZIP's symlink members (zip -y) are refused")
    func infoZipSymlink() throws {
        let zip = try requireTool("zip")
        let dir = try TemporaryDirectory()
        try dir.write("src/real", "x")
        symlink("/etc/passwd", dir.file("src/link"))
        #expect(try Subprocess.run([zip, "-q", "-y", dir.file("l.zip"), "real", "link"], directory: dir.file("src")).status == 0)
        #expect(throws: ZipError.notRegularFile(member: "link", kind: "symbolic link")) { try ZipArchive(path: dir.file("l.zip")) }
    }

    @Test("exup's writer produces archives unzip -t accepts, ZIP64 end records included")
    func writerAgainstUnzip() throws {
        let unzip = try requireTool("unzip")
        let dir = try TemporaryDirectory()
        let big = try dir.write("big", [UInt8](repeating: 0xAB, count: 3 << 20))
        let writer = try ZipWriter(path: dir.file("w.zip"))
        try writer.add(name: "text.txt", bytes: Array(String(repeating: "abc ", count: 5_000).utf8))
        try writer.addDirectory(name: "dir/")
        try writer.addStored(name: "dir/big", fromFile: big, mode: 0o755)
        try writer.finish()
        let test = try Subprocess.run([unzip, "-t", dir.file("w.zip")])
        #expect(test.status == 0, "\(test.stdout)")
        let archive = try ZipArchive(path: dir.file("w.zip"))
        #expect(archive.member(named: "dir/big")?.unixMode == 0o100755)
        #expect(archive.member(named: "text.txt")?.method == .deflated)
    }

    @Test("streaming a stored member hands over chunks no larger than the buffer, covering every byte")
    func streaming() throws {
        let dir = try TemporaryDirectory()
        var rng = SeededRandom(seed: 5)
        let data = (0..<(3 << 20) + 17).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let source = try dir.write("data", data)
        let writer = try ZipWriter(path: dir.file("s.zip"))
        try writer.addStored(name: "data", fromFile: source)
        try writer.finish()
        let archive = try ZipArchive(path: dir.file("s.zip"))
        var chunks: [Int] = []
        let hasher = SHA256Hasher()
        try archive.stream(archive.member(named: "data")!) {
            chunks.append($0.count); hasher.update($0)
        }
        #expect(chunks.allSatisfy { $0 <= ZipArchive.chunkSize })
        #expect(chunks.reduce(0, +) == data.count)
        #expect(hasher.finalize() == SHA256Hasher.hash(data))
    }
}
