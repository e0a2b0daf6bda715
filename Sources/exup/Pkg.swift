import ArgumentParser

/// `exup pkg`: keys, building, verifying and inspecting update packages (package-format.md).
struct Pkg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pkg",
        abstract: "Build, sign, verify and inspect update packages.",
        subcommands: [PkgInit.self, PkgKeygen.self, PkgBuild.self, PkgVerify.self, PkgInspect.self]
    )
}
