import ExupCore
import ExupZip

/// Reading a package without its signature check, for `exup pkg inspect` without trusted keys.
/// Never use this to decide whether to apply anything: that is `PackageVerifier`'s job.
public enum PackageReader {
    public static func unverifiedContents(path: String, limits: ZipLimits = ZipLimits()) throws -> (PackageInfo, [HashManifest.Entry]) {
        let archive: ZipArchive
        do { archive = try ZipArchive(path: path, limits: limits) } catch let error as ZipError { throw PackageError.archive(error) }
        guard let infoMember = archive.member(named: "ExUpInfo.xml") else { throw PackageError.missingRequiredMember("ExUpInfo.xml") }
        let info = try InfoParser.parse(try archive.contents(of: infoMember, limit: PackageVerifier.xmlLimit))
        var entries: [HashManifest.Entry] = []
        if let manifest = archive.member(named: "ExUpHash.xml") {
            entries = try HashManifest.parse(try archive.contents(of: manifest, limit: PackageVerifier.xmlLimit)).entries
        }
        return (info, entries)
    }
}
