// swift-tools-version: 6.1
// The pinned swift-openapi-generator that `make openapi` runs to turn openapi.yaml into Swift. Not part of the
// product's build: its output is committed (Sources/ManagerAPIModel/Generated, Sources/exup/Generated, Sources/ManagerAPI/Generated), so neither a
// developer's build nor CI compiles the generator.
import PackageDescription

let package = Package(
    name: "openapi-generator-tool",
    dependencies: [.package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3")],
    targets: []
)
