import ExupTesting
import Foundation
import Testing

/// `exup pkg …` as an operator runs it: the built executable, real files, exit statuses and output.
@Suite struct PackageToolTests {
    let dir: TemporaryDirectory
    let exup = BuiltProducts.path("exup")

    init() throws { dir = try TemporaryDirectory() }

    func run(_ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.run([exup] + arguments, directory: dir.path)
    }

    /// keygen + a trust directory + a payload + ExUpInfo.xml, as the format page describes.
    func prepare(info: InfoXML = InfoXML()) throws {
        #expect(try run(["pkg", "keygen", "--out", "keys"]).status == 0)
        try FileManager.default.createDirectory(atPath: dir.file("trust"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.file("keys/vendor.pub.pem"), toPath: dir.file("trust/vendor.pub.pem"))
        try dir.write("payload/apply.sh", "#!/bin/sh\necho applying\n", mode: 0o755)
        try dir.write("payload/firmware/image.bin", [UInt8](repeating: 0x5A, count: 100_000))
        try dir.write("ExUpInfo.xml", info.text)
    }

    @Test("keygen, build, verify, inspect: the happy path")
    func happyPath() throws {
        try prepare()
        let build = try run(["pkg", "build", "--info", "ExUpInfo.xml", "--payload", "payload", "--key", "keys/vendor.key.pem", "--out", "up.zip"])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.contains("built up.zip: bmc-r120h-2.31 (bmc-firmware 2.31), 3 files signed"))
        let verify = try run(["pkg", "verify", "--trusted-keys", "trust", "up.zip"])
        #expect(verify.status == 0)
        #expect(verify.stdout == "up.zip: ok (bmc-r120h-2.31, signed by vendor.pub.pem)\n")
        let inspect = try run(["pkg", "inspect", "--trusted-keys", "trust", "up.zip"])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("version:      2.31"))
        #expect(inspect.stdout.contains("payload/firmware/image.bin  100000 bytes"))
        #expect(inspect.stdout.contains("signature:    verified (vendor.pub.pem)"))
        let unverified = try run(["pkg", "inspect", "up.zip"])
        #expect(unverified.stdout.contains("NOT CHECKED"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("keys/vendor.key.pem"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("verify prints one line per file and exits 0 all ok, 2 some refused, 1 all refused")
    func mixedResults() throws {
        try prepare()
        #expect(
            try run(["pkg", "build", "--info", "ExUpInfo.xml", "--payload", "payload", "--key", "keys/vendor.key.pem", "--out", "up.zip"]).status == 0
        )
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("up.zip"))))
        let marker = Array("applying".utf8)
        let at = (0..<bytes.count - marker.count).first { Array(bytes[$0..<$0 + marker.count]) == marker }
        try #require(at != nil, "apply.sh is stored in the package (too small to deflate)")
        bytes[at!] ^= 0x20
        try dir.write("tampered.zip", bytes)
        let verify = try run(["pkg", "verify", "--trusted-keys", "trust", "up.zip", "tampered.zip", "missing.zip"])
        #expect(verify.status == 2, "one good, two refused: partly")
        #expect(try run(["pkg", "verify", "--trusted-keys", "trust", "tampered.zip", "missing.zip"]).status == 1, "all refused")
        let lines = verify.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "up.zip: ok (bmc-r120h-2.31, signed by vendor.pub.pem)")
        #expect(lines[1] == "tampered.zip: payload/apply.sh: sha256 mismatch")
        #expect(lines[2] == "missing.zip: no such file")
    }

    @Test("--json gives machine output with codes")
    func json() throws {
        try prepare()
        #expect(
            try run(["pkg", "build", "--info", "ExUpInfo.xml", "--payload", "payload", "--key", "keys/vendor.key.pem", "--out", "up.zip", "--json"])
                .status == 0)
        let other = try TemporaryDirectory()
        let wrongKeys = other.path
        try other.write("other.pem", try ExupTestingKeys.freshPublicPEM())
        let verify = try run(["pkg", "verify", "--json", "--trusted-keys", wrongKeys, "up.zip"])
        #expect(verify.status == 1)
        let reports = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as! [[String: Any]]
        #expect(reports.count == 1)
        #expect(reports[0]["ok"] as? Bool == false)
        let error = reports[0]["error"] as! [String: Any]
        #expect(error["code"] as? String == "no-trusted-key")
        #expect(
            error["message"] as? String == "signed by a vendor key not in \(wrongKeys): put the vendor's public key (*.pem) there if you trust it",
            "the message says which directory the vendor's key goes into")
        let inspect = try run(["pkg", "inspect", "--json", "up.zip"])
        let info = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as! [String: Any]
        let package = info["package"] as! [String: Any]
        #expect(package["version"] as? String == "2.31")
        #expect((package["targets"] as! [[String: Any]])[0]["os"] as? String == "linux")
        #expect(info["verified"] as? Bool == false)
    }

    @Test("the recipe of docs/package-format.md, run verbatim with zip, sha256sum and openssl alone, makes a package that verifies")
    func shellRecipe() throws {
        _ = try requireTool("openssl")
        _ = try requireTool("zip")
        let page = try String(contentsOfFile: PythonTools.repositoryRoot(from: #filePath) + "/docs/package-format.md", encoding: .utf8)
        let section = try #require(page.components(separatedBy: "## Recipe").last)
        let recipe = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let made = try Subprocess.shell(recipe, directory: dir.path)
        #expect(made.status == 0, "\(made.stderr)")
        try FileManager.default.createDirectory(atPath: dir.file("recipe-trust"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.file("pkg/vendor.pub.pem"), toPath: dir.file("recipe-trust/vendor.pub.pem"))
        let verify = try run(["pkg", "verify", "--trusted-keys", "recipe-trust", "update.zip"])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout == "update.zip: ok (bmc-r120h-2.31, signed by vendor.pub.pem)\n", "what the page says it prints")
        #expect(section.contains("update.zip: ok (bmc-r120h-2.31, signed by vendor.pub.pem)"))
    }

    @Test("exup's packages pass unzip -t and their signature verifies with openssl")
    func builtPackagesAreStandard() throws {
        try prepare()
        #expect(
            try run(["pkg", "build", "--info", "ExUpInfo.xml", "--payload", "payload", "--key", "keys/vendor.key.pem", "--out", "up.zip"]).status == 0
        )
        let script = """
            set -e
            unzip -tq up.zip
            unzip -p up.zip ExUpHash.xml > h.xml
            unzip -p up.zip ExUpHash.sig | openssl base64 -d > sig.bin
            openssl pkeyutl -verify -pubin -inkey keys/vendor.pub.pem -rawin -in h.xml -sigfile sig.bin
            unzip -p up.zip payload/firmware/image.bin | sha256sum | cut -d' ' -f1 > digest
            grep -q "$(cat digest)" h.xml
            """
        let result = try Subprocess.shell(script, directory: dir.path)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("Signature Verified Successfully"))
    }

    @Test("build refuses what it cannot package, with the reason, and leaves no file behind")
    func buildRefusals() throws {
        try prepare()
        symlink("/etc/passwd", dir.file("payload/link"))
        let linked = try run(["pkg", "build", "--info", "ExUpInfo.xml", "--payload", "payload", "--key", "keys/vendor.key.pem", "--out", "up.zip"])
        #expect(linked.status != 0)
        #expect(linked.stderr.contains("symbolic links cannot be packaged"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("up.zip")))
        unlink(dir.file("payload/link"))

        var info = InfoXML()
        info.applyCommand = "payload/missing.sh"
        try dir.write("bad.xml", info.text)
        let missing = try run(["pkg", "build", "--info", "bad.xml", "--payload", "payload", "--key", "keys/vendor.key.pem", "--out", "up.zip"])
        #expect(missing.stderr.contains("command payload/missing.sh is not in the payload"))

        let publicAsKey = try run([
            "pkg", "build", "--info", "ExUpInfo.xml", "--payload", "payload", "--key", "keys/vendor.pub.pem", "--out", "up.zip",
        ])
        #expect(
            publicAsKey.status == 1
                && publicAsKey.stderr
                    == "exup: keys/vendor.pub.pem is a public key: --key needs the private key (exup pkg keygen wrote it as vendor.key.pem)\n",
            "\(publicAsKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("up.zip")))
    }

    /// A minimal .deb made with dpkg-deb.
    func deb(package: String, version: String) throws -> String {
        let tree = "deb-\(package)-\(version)"
        try dir.write(
            "\(tree)/DEBIAN/control",
            "Package: \(package)\nVersion: \(version)\nArchitecture: amd64\nMaintainer: t <t@example.invalid>\nDescription: test\n")
        try dir.write("\(tree)/usr/sbin/\(package)", "#!/bin/sh\necho \(version)\n", mode: 0o755)
        let built = try Subprocess.run([try requireTool("dpkg-deb"), "--root-owner-group", "--build", dir.file(tree), dir.file("\(tree).deb")])
        #expect(built.status == 0, "\(built.stderr)")
        return "\(tree).deb"
    }

    @Test("build --from-deb: the agent's own .deb as an exup-agent update whose Version is the deb's")
    func selfUpdateFromDeb() throws {
        try prepare()
        let file = try deb(package: "exup-agent", version: "0.1.0-7")
        let build = try run([
            "pkg", "build", "--from-deb", file, "--model", "Express5800/R120h-1M", "--model", "R<&>\"2",
            "--os", "debian", "--release-date", "2026-11-01", "--key", "keys/vendor.key.pem", "--out", "agent.zip", "--json",
        ])
        #expect(build.status == 0, "\(build.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(build.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(
            report["module"] as? String == "exup-agent" && report["version"] as? String == "0.1.0-7"
                && report["id"] as? String == "exup-agent-0.1.0-7")
        #expect(try run(["pkg", "verify", "--trusted-keys", "trust", "agent.zip"]).status == 0)
        let inspect = try run(["pkg", "inspect", "--json", "--trusted-keys", "trust", "agent.zip"])
        let shown = (try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])?["package"] as? [String: Any] ?? [:]
        let targets = (shown["targets"] as? [[String: Any]] ?? []).map { "\($0["model"] ?? "")|\($0["os"] ?? "")" }
        #expect(targets == ["Express5800/R120h-1M|debian", "R<&>\"2|debian"], "models are escaped into the XML, not broken by it: \(shown)")
        #expect(shown["releaseDate"] as? String == "2026-11-01")

        let unzip = try requireTool("unzip")
        #expect(try Subprocess.run([unzip, "-q", "-d", dir.file("unpacked"), dir.file("agent.zip")]).status == 0)
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: dir.file("unpacked/payload/exup-agent.deb")))
                == (try Data(contentsOf: URL(fileURLWithPath: dir.file(file)))),
            "the .deb travels as it is")
        let script = try String(contentsOfFile: dir.file("unpacked/payload/apply.sh"), encoding: .utf8)
        #expect(
            script.hasPrefix("#!/bin/sh") && script.contains("systemd-run --scope") && script.contains("dpkg --install --force-confold \"$file\""),
            "the install leaves the agent's cgroup: \(script)")
    }

    @Test("build --from-deb refuses another package, a missing --model, and mixing with --info")
    func selfUpdateRefusals() throws {
        try prepare()
        let other = try deb(package: "exup-manager", version: "0.1.0-7")
        let wrong = try run(["pkg", "build", "--from-deb", other, "--model", "m", "--key", "keys/vendor.key.pem", "--out", "x.zip"])
        #expect(wrong.status != 0 && wrong.stderr.contains("is the package exup-manager, not exup-agent"), "\(wrong.stderr)")
        let agent = try deb(package: "exup-agent", version: "0.1.0-7")
        let noModel = try run(["pkg", "build", "--from-deb", agent, "--key", "keys/vendor.key.pem", "--out", "x.zip"])
        #expect(noModel.status != 0 && noModel.stderr.contains("need at least one --model"))
        let both = try run([
            "pkg", "build", "--from-deb", agent, "--info", "ExUpInfo.xml", "--model", "m", "--key", "keys/vendor.key.pem", "--out", "x.zip",
        ])
        #expect(both.status != 0 && both.stderr.contains("exactly one of --info, --from-deb and --from-rpm"))
        try dir.write("junk.deb", "not an archive")
        let junk = try run(["pkg", "build", "--from-deb", "junk.deb", "--model", "m", "--key", "keys/vendor.key.pem", "--out", "x.zip"])
        #expect(junk.status != 0 && junk.stderr.contains("junk.deb is not a readable .deb"), "\(junk.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.zip")))
    }

    @Test("keygen refuses to overwrite a key unless told to")
    func keygenOverwrite() throws {
        #expect(try run(["pkg", "keygen", "--out", "k"]).status == 0)
        let again = try run(["pkg", "keygen", "--out", "k"])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        #expect(try run(["pkg", "keygen", "--out", "k", "--force"]).status == 0)
    }

    @Test("--help works on every subcommand")
    func help() throws {
        for sub in [[], ["pkg"], ["pkg", "keygen"], ["pkg", "build"], ["pkg", "verify"], ["pkg", "inspect"]] {
            let result = try run(sub + ["--help"])
            #expect(result.status == 0 && result.stdout.contains("USAGE"), "\(sub)")
        }
    }
}

enum ExupTestingKeys {
    static func freshPublicPEM() throws -> String {
        let dir = try TemporaryDirectory()
        let openssl = try requireTool("openssl")
        _ = try Subprocess.run([openssl, "genpkey", "-algorithm", "ed25519", "-out", dir.file("k")])
        return try Subprocess.run([openssl, "pkey", "-in", dir.file("k"), "-pubout"]).stdout
    }
}
