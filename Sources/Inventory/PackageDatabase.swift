import ExupCore
import ExupSystem

/// Where the OS's package database is, and which tool reads it (the `[inventory]` keys).
public struct PackageDatabaseConfiguration: Sendable, Hashable {
    public enum System: String, Sendable, CaseIterable { case auto, dpkg, rpm, none }

    public var system: System = .auto
    /// dpkg's database directory (`dpkg-query --admindir`).
    public var dpkgAdminDirectory = "/var/lib/dpkg"
    /// rpm's database directory (`rpm --dbpath`); nil = rpm's own default.
    public var rpmDatabasePath: String?
    public var dpkgQuery = "/usr/bin/dpkg-query"
    public var rpm = "/usr/bin/rpm"

    public init() {}
}

public struct PackageQueryError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Installed OS packages and their versions, read with the distribution's own tools.
public enum PackageDatabase {
    /// The package system in use: configured, else dpkg when its database exists, else rpm, else none.
    public static func system(_ configuration: PackageDatabaseConfiguration) -> PackageSystem {
        switch configuration.system {
        case .dpkg: return .dpkg
        case .rpm: return .rpm
        case .none: return .none
        case .auto:
            if LocalFile.exists(configuration.dpkgAdminDirectory + "/status") && LocalFile.exists(configuration.dpkgQuery) { return .dpkg }
            let rpmDB = configuration.rpmDatabasePath ?? "/var/lib/rpm"
            if LocalFile.exists(rpmDB) && LocalFile.exists(configuration.rpm) { return .rpm }
            return .none
        }
    }

    /// Every installed package's version: dpkg's `${Version}`, or rpm's `EPOCH:VERSION-RELEASE` without a 0 epoch.
    public static func installed(_ configuration: PackageDatabaseConfiguration) throws(PackageQueryError) -> (PackageSystem, [String: String]) {
        let system = system(configuration)
        switch system {
        case .none:
            return (.none, [:])
        case .dpkg:
            let result = try run([
                configuration.dpkgQuery, "--admindir=\(configuration.dpkgAdminDirectory)", "-W",
                "-f", "${Package}\\t${db:Status-Status}\\t${Version}\\n",
            ])
            var versions: [String: String] = [:]
            for line in result.split(separator: "\n") {
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
                if parts.count == 3, parts[1] == "installed" { versions[String(parts[0])] = String(parts[2]) }
            }
            return (.dpkg, versions)
        case .rpm:
            var arguments = [configuration.rpm]
            if let path = configuration.rpmDatabasePath { arguments += ["--dbpath", path] }
            arguments += ["-qa", "--qf", "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n"]
            let result = try run(arguments)
            var versions: [String: String] = [:]
            for line in result.split(separator: "\n") {
                let parts = line.split(separator: "\t")
                guard parts.count == 2 else { continue }
                var version = String(parts[1])
                if version.hasPrefix("0:") { version.removeFirst(2) }
                versions[String(parts[0])] = version
            }
            return (.rpm, versions)
        }
    }

    private static func run(_ arguments: [String]) throws(PackageQueryError) -> String {
        let result: CommandRunner.Result
        do { result = try CommandRunner.run(arguments, timeoutMilliseconds: 60_000) } catch {
            throw PackageQueryError(description: error.description)
        }
        guard !result.timedOut else { throw PackageQueryError(description: "\(arguments[0]) took longer than 60 s") }
        guard result.status == 0 else {
            let reason = result.stderrText.split(separator: "\n").first.map(String.init) ?? "exit status \(result.status)"
            throw PackageQueryError(description: "\(arguments[0]) failed: \(reason)")
        }
        return result.stdoutText
    }
}
