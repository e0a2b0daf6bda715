// swift-tools-version: 6.0
// libFuzzer targets for the untrusted-input parsers. Built by `make fuzz` with
// `--sanitize fuzzer --sanitize address`; never part of the main build or `make test`.
import PackageDescription

let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "exup-fuzz",
    dependencies: [.package(name: "exup", path: "../..")],
    targets: [
        .executableTarget(
            name: "fuzz-package",
            dependencies: [
                .product(name: "PackageFormat", package: "exup"), .product(name: "ExupZip", package: "exup"),
            ], swiftSettings: fuzzFlags),
        .executableTarget(
            name: "fuzz-xml",
            dependencies: [
                .product(name: "PackageFormat", package: "exup"), .product(name: "ExupXML", package: "exup"),
            ], swiftSettings: fuzzFlags),
        .executableTarget(name: "fuzz-toml", dependencies: [.product(name: "TOML", package: "exup")], swiftSettings: fuzzFlags),
        .executableTarget(
            name: "fuzz-tuf", dependencies: [.product(name: "TUF", package: "exup"), .product(name: "ExupFormats", package: "exup")],
            swiftSettings: fuzzFlags),
        .executableTarget(name: "fuzz-multipart", dependencies: [.product(name: "WebForms", package: "exup")], swiftSettings: fuzzFlags),
        .executableTarget(
            name: "fuzz-agent-json",
            dependencies: [
                .product(name: "ExupCore", package: "exup"), .product(name: "ExupFormats", package: "exup"),
            ], swiftSettings: fuzzFlags),
    ],
    swiftLanguageModes: [.v6]
)
