import ArgumentParser
import ExupCommandLine
import ExupSystem
import PackageFormat

/// A .deb or .rpm's name and version, read with the distribution's own tool (dpkg-deb, rpm), in the form
/// the agent reports for itself and for `package:NAME` modules.
struct OSPackageFile {
    var kind: AgentSelfUpdate.Kind
    var name: String
    var version: String

    static func read(_ path: String, kind: AgentSelfUpdate.Kind) throws -> OSPackageFile {
        let arguments =
            kind == .deb
            ? ["/usr/bin/dpkg-deb", "--show", "--showformat=${Package}\t${Version}\n", path]
            : ["/usr/bin/rpm", "-qp", "--nosignature", "--nodigest", "--qf", "%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n", path]
        let result: CommandRunner.Result
        do { result = try CommandRunner.run(arguments) } catch {
            throw CommandFailure("cannot read \(path) with \(arguments[0]) (is it installed?): \(error)")
        }
        let fields = result.stdoutText.split(separator: "\n").first?.split(separator: "\t").map(String.init) ?? []
        guard result.status == 0, fields.count == 2 else {
            let reason = result.stderrText.split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
            throw CommandFailure("\(path) is not a readable .\(kind.rawValue): \(reason)")
        }
        var version = fields[1]
        if kind == .rpm, version.hasPrefix("0:") { version.removeFirst(2) }  // as rpm modules are reported: no 0 epoch
        return OSPackageFile(kind: kind, name: fields[0], version: version)
    }
}
