import ExupCrypto

/// The vendor keys packages are checked against: every `*.pem` file in one directory
/// (e.g. `/etc/exup/trusted-keys/`); other files are ignored.
public struct TrustedKeys: Sendable {
    public struct Key: Sendable, Hashable {
        /// The file name, to say which vendor signed a package.
        public var name: String
        public var key: Ed25519PublicKey
    }

    public var keys: [Key]
    /// `*.pem` files that are not Ed25519 public keys, with the reason (reported, never trusted).
    public var problems: [String]

    public init(keys: [Key], problems: [String] = []) {
        self.keys = keys
        self.problems = problems
    }

    public static func load(directory: String) throws -> TrustedKeys {
        let names: [String]
        do { names = try FileSystem.list(directory) } catch {
            throw TrustError(message: "trusted keys: \(error)")
        }
        var keys: [Key] = [], problems: [String] = []
        for name in names where name.hasSuffix(".pem") {
            let path = directory + "/" + name
            guard let data = FileSystem.readSmallFile(path, limit: 64 << 10) else {
                problems.append("\(path): unreadable or over 64 KiB")
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            do {
                keys.append(Key(name: name, key: try Ed25519PublicKey(pem: text)))
            } catch {
                problems.append(
                    text.contains("PRIVATE KEY-----")
                        ? "\(path): a private key, not a public one (keep private keys off the servers)"
                        : "\(path): not an Ed25519 public key in PEM form")
            }
        }
        return TrustedKeys(keys: keys, problems: problems)
    }
}

public struct TrustError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
