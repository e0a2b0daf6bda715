import ArgumentParser
import ExupCommandLine
import ExupCrypto
import ExupSystem
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
        let directory = out.hasSuffix("/") && out.count > 1 ? String(out.dropLast()) : out
        let keyPath = directory + "/vendor.key.pem", publicPath = directory + "/vendor.pub.pem"
        if mkdir(out, 0o700) != 0 && errno != EEXIST {
            throw CommandFailure("cannot create \(out): \(String(cString: strerror(errno)))")
        }
        if !force && access(keyPath, F_OK) == 0 {
            throw CommandFailure("\(keyPath) already exists; pass --force to replace it")
        }
        let key = try Ed25519PrivateKey.generate()
        let publicKey = key.publicKey
        do {
            try LocalFile.writeAtomically(Array(try key.pem.utf8), to: keyPath, mode: 0o600)
            try LocalFile.writeAtomically(Array(try publicKey.pem.utf8), to: publicPath, mode: 0o644)
        } catch let error as FileError {
            throw CommandFailure("cannot write the key pair: \(error)")
        }
        let fingerprint = SHA256Hasher.hash(publicKey.raw).hex
        if output.json {
            try JSONOutput.print(["privateKey": keyPath, "publicKey": publicPath, "fingerprint": fingerprint])
        } else {
            print("wrote \(keyPath) (private, 0600) and \(publicPath)")
            print("public key fingerprint (sha256 of the raw key): \(fingerprint)")
        }
    }
}
