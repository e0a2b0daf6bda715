import ExupCore
import ExupCrypto
import ExupZip

/// A package that passed every check of package-format.md.
public struct VerifiedPackage: Sendable {
    public var path: String
    public var info: PackageInfo
    /// The trusted key file whose key verified the signature.
    public var signer: String
    public var manifest: HashManifest
    public var archiveSize: UInt64
}

/// Runs package-format.md's checks in their order; the first failure is the error named.
public struct PackageVerifier: Sendable {
    public static let requiredMembers = ["ExUpInfo.xml", "ExUpHash.xml", "ExUpHash.sig"]
    static let xmlLimit = 1 << 20
    static let signatureLimit = 8 << 10

    public var trustedKeys: TrustedKeys
    public var limits: ZipLimits

    public init(trustedKeys: TrustedKeys, limits: ZipLimits = ZipLimits()) {
        self.trustedKeys = trustedKeys
        self.limits = limits
    }

    /// Only the signature: the name of the trusted key that signed the package's manifest. For a file whose
    /// content was fully verified before (the repository's pool is content-addressed), when the question is
    /// only whether its signer is still trusted.
    public func signer(path: String) throws(PackageError) -> String {
        let archive: ZipArchive
        do { archive = try ZipArchive(path: path, limits: limits) } catch let error as ZipError {
            throw .archive(error)
        } catch { throw .unreadable(path: path, reason: "\(error)") }
        guard let signatureMember = archive.member(named: "ExUpHash.sig"), let manifestMember = archive.member(named: "ExUpHash.xml") else {
            throw .missingRequiredMember("ExUpHash.sig")
        }
        let signatureText = try read(archive, signatureMember, limit: PackageVerifier.signatureLimit)
        guard let signature = Base64.decode(signatureText), signature.count == 64 else {
            throw .signatureMalformed("not a 64-byte Ed25519 signature")
        }
        let manifestBytes = try read(archive, manifestMember, limit: PackageVerifier.xmlLimit)
        guard let signer = trustedKeys.keys.first(where: { $0.key.isValidSignature(signature, for: manifestBytes) }) else { throw .noTrustedKey }
        return signer.name
    }

    public func verify(path: String) throws(PackageError) -> VerifiedPackage {
        // 1. The archive rules.
        let archive: ZipArchive
        do { archive = try ZipArchive(path: path, limits: limits) } catch let error as ZipError {
            throw .archive(error)
        } catch { throw .unreadable(path: path, reason: "\(error)") }
        var required: [String: ZipMember] = [:]
        for name in PackageVerifier.requiredMembers {
            guard let member = archive.member(named: name), !member.isDirectory else { throw .missingRequiredMember(name) }
            required[name] = member
        }

        // 2. The vendor signature over the raw bytes of ExUpHash.xml.
        let signatureText = try read(archive, required["ExUpHash.sig"]!, limit: PackageVerifier.signatureLimit)
        guard let signature = Base64.decode(signatureText) else { throw .signatureMalformed("not base64") }
        guard signature.count == 64 else { throw .signatureMalformed("\(signature.count) bytes, an Ed25519 signature has 64") }
        let manifestBytes = try read(archive, required["ExUpHash.xml"]!, limit: PackageVerifier.xmlLimit)
        guard let signer = trustedKeys.keys.first(where: { $0.key.isValidSignature(signature, for: manifestBytes) }) else {
            throw .noTrustedKey
        }

        // 3. Every file member listed once, with its exact size and digest.
        let manifest = try HashManifest.parse(manifestBytes)
        let listed = Dictionary(uniqueKeysWithValues: manifest.entries.map { ($0.path, $0) })
        let files = archive.members.filter { !$0.isDirectory && $0.name != "ExUpHash.xml" && $0.name != "ExUpHash.sig" }
        for member in files where listed[member.name] == nil { throw .unlistedMember(member.name) }
        let fileNames = Set(files.map(\.name))
        for entry in manifest.entries where !fileNames.contains(entry.path) { throw .listedButMissing(entry.path) }
        for member in files where listed[member.name]!.size != member.uncompressedSize {
            throw .sizeMismatch(path: member.name, listed: listed[member.name]!.size, actual: member.uncompressedSize)
        }
        for member in files {
            let hasher = SHA256Hasher()
            do { try archive.stream(member) { hasher.update($0) } } catch {
                throw .unreadable(path: member.name, reason: "\(error)")
            }
            guard hasher.finalize() == listed[member.name]!.sha256 else { throw .digestMismatch(path: member.name) }
        }

        // 4. ExUpInfo.xml parses and is valid.
        let info = try InfoParser.parse(try read(archive, required["ExUpInfo.xml"]!, limit: PackageVerifier.xmlLimit))
        for command in [info.apply, info.uninstall].compactMap({ $0 }) where !fileNames.contains(command.path) {
            throw .infoInvalid("command \(command.path) is not a file in the package")
        }
        return VerifiedPackage(path: path, info: info, signer: signer.name, manifest: manifest, archiveSize: archive.file.size)
    }

    private func read(_ archive: ZipArchive, _ member: ZipMember, limit: Int) throws(PackageError) -> [UInt8] {
        guard member.uncompressedSize <= UInt64(limit) else {
            let reason = "document is \(member.uncompressedSize) bytes, over the \(limit)-byte limit"
            if member.name == "ExUpInfo.xml" { throw .infoInvalid(reason) }
            if member.name == "ExUpHash.sig" { throw .signatureMalformed(reason) }
            throw .manifestInvalid(reason)
        }
        do { return try archive.contents(of: member, limit: limit) } catch {
            throw .unreadable(path: member.name, reason: "\(error)")
        }
    }
}
