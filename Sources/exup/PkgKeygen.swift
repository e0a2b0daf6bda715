import ArgumentParser
import ExupCrypto
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

struct PkgKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a vendor signing key pair.",
        discussion: """
        Writes vendor.key.pem (PKCS#8, mode 0600) and vendor.pub.pem (SubjectPublicKeyInfo), the formats \
        `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` use. Put the public key in each \
        agent's trusted-keys directory; keep the private key off the servers.
        """
    )

    @Option(help: "Directory to write the key pair into (created when missing).")
    var out: String

    @Flag(help: "Replace an existing key pair.")
    var force = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let keyPath = out + "/vendor.key.pem", publicPath = out + "/vendor.pub.pem"
        if mkdir(out, 0o700) != 0 && errno != EEXIST {
            throw ValidationError("cannot create \(out): \(String(cString: strerror(errno)))")
        }
        if !force && access(keyPath, F_OK) == 0 {
            throw ValidationError("\(keyPath) already exists; pass --force to replace it")
        }
        let key = try Ed25519PrivateKey.generate()
        let publicKey = try key.publicKey
        try FileWriting.write(Array(try key.pem.utf8), to: keyPath, mode: 0o600)
        try FileWriting.write(Array(try publicKey.pem.utf8), to: publicPath, mode: 0o644)
        let fingerprint = SHA256Hasher.hash(publicKey.raw).hex
        if output.json {
            try JSONOutput.print(["privateKey": keyPath, "publicKey": publicPath, "fingerprint": fingerprint])
        } else {
            print("wrote \(keyPath) (private, 0600) and \(publicPath)")
            print("public key fingerprint (sha256 of the raw key): \(fingerprint)")
        }
    }
}

/// Whole-file writes: temporary file, fsync, rename.
enum FileWriting {
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                let reason = String(cString: strerror(errno))
                close(fd); unlink(temporary)
                throw ValidationError("cannot write \(path): \(reason)")
            }
            done += n
        }
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
