import Foundation

/// Real package databases in scratch directories: a .deb installed by `dpkg --root`, an .rpm built by
/// `rpmbuild` and recorded with `rpm -i --justdb --dbpath`. Nothing touches the host's databases.
public enum PackageSandboxes {
    public struct Package: Sendable {
        public var name: String
        public var debianVersion: String
        /// rpm's epoch, version and release.
        public var epoch: Int?
        public var version: String
        public var release: String

        public init(name: String, debianVersion: String, epoch: Int?, version: String, release: String) {
            self.name = name
            self.debianVersion = debianVersion
            self.epoch = epoch
            self.version = version
            self.release = release
        }
    }

    /// A root whose `var/lib/dpkg` holds the given packages, installed with dpkg itself. Returns the admindir.
    public static func dpkg(_ packages: [Package], in directory: TemporaryDirectory) throws -> String {
        let root = directory.file("dpkg-root")
        for sub in ["var/lib/dpkg/updates", "var/lib/dpkg/info"] {
            try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true)
        }
        FileManager.default.createFile(atPath: root + "/var/lib/dpkg/status", contents: Data())
        for package in packages {
            let build = directory.file("deb-\(package.name)")
            try directory.write(
                "deb-\(package.name)/DEBIAN/control",
                """
                Package: \(package.name)
                Version: \(package.debianVersion)
                Architecture: all
                Maintainer: exup tests <tests@example.invalid>
                Description: exup test package

                """)
            let deb = directory.file("\(package.name).deb")
            let made = try Subprocess.run([try requireTool("dpkg-deb"), "--build", build, deb])
            guard made.status == 0 else { throw TestFailure("dpkg-deb: \(made.stderr)") }
            let installed = try Subprocess.run([try requireTool("dpkg"), "--root=\(root)", "-i", deb])
            guard installed.status == 0 else { throw TestFailure("dpkg -i: \(installed.stderr)") }
        }
        return root + "/var/lib/dpkg"
    }

    /// An rpm database holding the given packages. Returns the dbpath.
    public static func rpm(_ packages: [Package], in directory: TemporaryDirectory) throws -> String {
        let rpm = try requireTool("rpm"), rpmbuild = try requireTool("rpmbuild")
        let db = directory.file("rpmdb")
        try FileManager.default.createDirectory(atPath: db, withIntermediateDirectories: true)
        guard try Subprocess.run([rpm, "--dbpath", db, "--initdb"]).status == 0 else { throw TestFailure("rpm --initdb failed") }
        for package in packages {
            let top = directory.file("rpmbuild-\(package.name)")
            let spec = try directory.write(
                "\(package.name).spec",
                """
                Name: \(package.name)
                Version: \(package.version)
                Release: \(package.release)
                \(package.epoch.map { "Epoch: \($0)" } ?? "")
                Summary: exup test package
                License: MIT
                BuildArch: noarch
                %description
                exup test package
                %files

                """)
            let built = try Subprocess.run([rpmbuild, "--define", "_topdir \(top)", "-bb", spec])
            guard built.status == 0 else { throw TestFailure("rpmbuild: \(built.stderr)") }
            let file = top + "/RPMS/noarch/\(package.name)-\(package.version)-\(package.release).noarch.rpm"
            let installed = try Subprocess.run([rpm, "--dbpath", db, "-i", "--justdb", "--nodeps", "--noscripts", file])
            guard installed.status == 0 else { throw TestFailure("rpm -i --justdb: \(installed.stderr)") }
        }
        return db
    }
}
