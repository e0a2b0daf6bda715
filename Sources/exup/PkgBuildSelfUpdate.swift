import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupSystem
import PackageFormat

#if canImport(Glibc)
    import Glibc
#endif

extension PkgBuild {
    /// The agent's own .deb/.rpm wrapped as an update package for module exup-agent.
    func buildSelfUpdate(from file: String, kind: AgentSelfUpdate.Kind) throws {
        let osPackage = try OSPackageFile.read(file, kind: kind)
        guard osPackage.name == ModuleID.agent else {
            throw CommandFailure(
                "\(file) is the package \(osPackage.name), not exup-agent: --from-\(kind.rawValue) wraps the agent's own package only")
        }
        guard AgentSelfUpdate.isPlausibleVersion(osPackage.version) else {
            throw CommandFailure("\(file): version \(osPackage.version) holds characters a package version may not")
        }
        let date = releaseDate ?? Self.today()
        let update = AgentSelfUpdate(
            kind: kind, version: osPackage.version, fileName: String(file.split(separator: "/").last ?? ""),
            models: model, os: os, releaseDate: date)
        var template = Array("/tmp/exup-pkg-build.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw CommandFailure("cannot make a temporary directory under /tmp") }
        let payloadDirectory = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { try? LocalDirectory.removeTree(payloadDirectory) }
        guard let bytes = readFile(file, limit: 1 << 30) else { throw CommandFailure("cannot read \(file) (missing, unreadable or over 1 GiB)") }
        try LocalFile.writeAtomically(bytes, to: payloadDirectory + "/" + update.payloadName, mode: 0o644)
        try LocalFile.writeAtomically(Array(update.applyScript.utf8), to: payloadDirectory + "/apply.sh", mode: 0o755)
        try build(infoBytes: Array(update.infoXML.utf8), payload: payloadDirectory)
    }

    static func today() -> String {
        var now = time(nil), parts = tm()
        gmtime_r(&now, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
    }
}
