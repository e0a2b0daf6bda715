import ExupTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The manager's secret files: refused when others can change them, created 0600 from the first byte.
@Suite(.serialized) struct SecretFilesTests {
    @Test("an administrator token others can change: the manager does not start, and says which file and how to fix it")
    func writableTokenRefused() throws {
        let manager = try ManagerProcess()
        manager.stop()
        let token = manager.data.file("admin.token")
        chmod(token, 0o666)
        let result = try Subprocess.run([BuiltProducts.path("exup-manager"), "serve", "--data-dir", manager.data.path, "--listen", "127.0.0.1:0"])
        #expect(result.status != 0)
        #expect(
            result.stderr.contains("\(token) holds a secret but others can change it (mode 0666): refused; run chmod 600 \(token)"),
            "\(result.stderr)")
    }

    @Test("the credential key others can change is refused; a damaged one is never silently replaced (that would revoke every agent)")
    func credentialKeyChecked() throws {
        let manager = try ManagerProcess()
        manager.stop()
        let key = manager.data.file("agent-credentials.key")
        let original = try Data(contentsOf: URL(fileURLWithPath: key))
        chmod(key, 0o666)
        let serve = [BuiltProducts.path("exup-manager"), "serve", "--data-dir", manager.data.path, "--listen", "127.0.0.1:0"]
        let writable = try Subprocess.run(serve)
        #expect(writable.status == 1 && writable.stderr.contains("\(key) holds a secret but others can change it"), "\(writable.stderr)")
        chmod(key, 0o600)
        try Data(original.prefix(10)).write(to: URL(fileURLWithPath: key))
        let damaged = try Subprocess.run(serve)
        #expect(damaged.status == 1 && damaged.stderr.contains("holds 10 bytes, not the 32 of the credential key"), "\(damaged.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: key)).count == 10, "the damaged key is left for the operator, not replaced")
    }

    @Test("a backup is 0600 from the first byte, whatever the umask, and a link planted at its temporary name is not followed")
    func backupMode() throws {
        let manager = try ManagerProcess()
        manager.stop()
        let out = try TemporaryDirectory()
        let victim = try out.write("victim.txt", "do not touch\n", mode: 0o644)
        try FileManager.default.createSymbolicLink(atPath: out.file("backup.zip.tmp"), withDestinationPath: victim)
        let result = try Subprocess.shell(
            "umask 000; exec '\(BuiltProducts.path("exup-manager"))' backup --data-dir '\(manager.data.path)' --out '\(out.file("backup.zip"))'")
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(stat(out.file("backup.zip"), &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "do not touch\n")
    }
}
