// swift-tools-version: 6.1
// exup: keeps the firmware and software of Linux server fleets up to date.
// Target split (see ../shared/design/conventions.md): a pure domain core, thin C wrappers,
// the package format on top of them, and thin executables.
import PackageDescription

let package = Package(
    name: "exup",
    products: [
        .executable(name: "exup", targets: ["exup"]),
        .executable(name: "exup-agent", targets: ["exup-agent"]),
        .executable(name: "exup-manager", targets: ["exup-manager"]),
        // Libraries other packages (the fuzzers in Tests/Fuzz) build against.
        .library(name: "PackageFormat", targets: ["PackageFormat"]),
        .library(name: "ExupXML", targets: ["ExupXML"]),
        .library(name: "ExupZip", targets: ["ExupZip"]),
        .library(name: "TOML", targets: ["TOML"]),
        .library(name: "TUF", targets: ["TUF"]),
        .library(name: "ExupFormats", targets: ["ExupFormats"]),
        .library(name: "ExupCore", targets: ["ExupCore"]),
        .library(name: "WebForms", targets: ["WebForms"]),
        .executable(name: "exup-tuf-client", targets: ["exup-tuf-client"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Already under Hummingbird; named because the manager's server uses their types directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // What the code swift-openapi-generator made of openapi.yaml runs on (without Foundation's ICU).
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4", traits: []),
        // The generated server's routes on Hummingbird's router.
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        // The manager's second engine: PostgreSQL's wire protocol, pooled, with SCRAM and TLS.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Pure domain core: the seed's rules as value types and functions. No I/O, no Foundation.
        .target(name: "ExupCore"),

        // C system libraries, one module each (modulemap + shim.h).
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"]), .yum(["libxml2-devel"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"]), .yum(["openssl-devel"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"]), .yum(["libcurl-devel"])]),
        .systemLibrary(name: "CFreeIPMI", pkgConfig: "libfreeipmi", providers: [.apt(["libfreeipmi-dev"]), .yum(["freeipmi-devel"])]),
        .systemLibrary(
            name: "CIPMIMonitoring", pkgConfig: "libipmimonitoring", providers: [.apt(["libipmimonitoring-dev"]), .yum(["freeipmi-devel"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .yum(["zlib-devel"])]),

        // The strict TOML reader configuration files are parsed with.
        .target(name: "TOML", dependencies: ["ExupCore"]),

        // The web UI's form bodies: URL-encoded fields and multipart uploads (parsing only).
        .target(name: "WebForms"),

        // Operating-system helpers: durable file writes, running short commands.
        .target(name: "ExupSystem"),

        // Thin Swift wrappers that own the C handles.
        .target(name: "ExupCrypto", dependencies: ["COpenSSL"]),
        .target(name: "ExupXML", dependencies: ["CXML2"]),
        .target(name: "ExupZip", dependencies: ["CZlib"]),
        // The project's HTTP client: libcurl (proxies with Basic/Digest, TLS, resume, size caps).
        .target(name: "Transport", dependencies: ["CCurl"]),

        // The formats every side exchanges: UTC timestamps and the strict, canonical JSON model.
        .target(name: "ExupFormats", dependencies: ["ExupCore"]),

        // The application log's events and entries (the manager's and the repository's), stored by the catalog.
        .target(name: "ApplicationLog"),

        // TUF 1.0 metadata: the model, signing, and the client workflow (for the repository and the agent).
        .target(name: "TUF", dependencies: ["ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem", "Transport"]),

        // What the server is and what runs on it: FreeIPMI (BMC, FRU, SDR, sensors), SMBIOS, os-release, dpkg/rpm.
        .target(name: "Inventory", dependencies: ["ExupCore", "ExupSystem", "CFreeIPMI", "CIPMIMonitoring"]),

        // The agent: configuration (and, in later issues, the pull loop, apply, journal).
        .target(
            name: "Agent",
            dependencies: [
                "ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem", "ExupZip", "Inventory", "PackageFormat", "TOML", "Transport", "TUF",
            ]),

        // The agent's daemon: the poll loop, the local CLI's socket and systemd's watchdog as services.
        .target(
            name: "AgentServices",
            dependencies: [
                "Agent", "ExupCore", "ExupSystem", "ExupCommandLine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // The repository: package pool, SQLite catalog, TUF publishing, retention, add/delete/export.
        .target(
            name: "Repository",
            dependencies: [
                "ApplicationLog", "ExupCore", "ExupFormats", "PackageFormat", "TUF", "ExupCrypto", "ExupSystem", "ExupZip", "Transport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The manager: small services (enrolment, reports, statuses, approvals, users, groups, policies,
        // batches) over one async store protocol that names no database engine.
        .target(
            name: "Manager",
            dependencies: ["ApplicationLog", "Repository", "ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem", "TUF"]),

        // The manager's store on its embedded engine: SQLite through GRDB (migrations, group commit).
        .target(
            name: "ManagerSQLite",
            dependencies: ["Manager", "ExupCore", "ExupSystem", .product(name: "GRDB", package: "GRDB.swift")]),

        // The manager's store on PostgreSQL through postgres-nio, for several replicas on one database
        // (serializable transactions, retried; migrations under an advisory lock).
        .target(
            name: "ManagerPostgres",
            dependencies: [
                "Manager", "ExupCore", "ExupSystem", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // What the manager's JSON API and web pages share: the request context, who asks (credentials,
        // sessions, roles), JSON errors and strict bodies, uploads, and the repository settings editor.
        .target(
            name: "ManagerHTTP",
            dependencies: [
                "ApplicationLog", "ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem", "Manager", "Repository", "TUF", "Transport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),

        // The API's schemas and operations as Swift types, generated from openapi.yaml (make openapi), and the
        // API's exact time format for the generated code.
        .target(
            name: "ManagerAPIModel",
            dependencies: ["ExupFormats", .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")]),

        // The manager's JSON API (/api/v1, agents' and administrators'), TUF metadata and targets, metrics,
        // and the OpenAPI document that describes it; the administrators' operations implement the
        // protocol generated from that document (Generated/Server.swift).
        .target(
            name: "ManagerAPI",
            dependencies: [
                "ApplicationLog", "ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem", "Manager", "ManagerAPIModel", "ManagerHTTP", "Repository",
                "TUF", "Transport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            ]),

        // The manager's web pages: server-rendered HTML with the API's permissions, CSRF-checked forms.
        .target(
            name: "ManagerWeb",
            dependencies: [
                "ApplicationLog", "ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem", "Manager", "ManagerHTTP", "Repository", "TUF",
                "Transport", "WebForms",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),

        // The manager's server: puts the store, the services, the API and the web pages together; its
        // configuration, background services, connection limits, backup and restore.
        .target(
            name: "ManagerServer",
            dependencies: [
                "ApplicationLog", "Repository", "Manager", "ManagerSQLite", "ManagerPostgres", "ManagerHTTP", "ManagerAPI", "ManagerWeb", "ExupCore",
                "ExupCrypto",
                "ExupSystem", "ExupZip", "TOML", "Transport", "TUF",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),

        // The update package contract (package-format.md): read, build, sign, verify.
        .target(name: "PackageFormat", dependencies: ["ExupCore", "ExupCrypto", "ExupXML", "ExupZip"]),

        // What every executable shares on the command line: exit statuses, one-line errors, progress lines.
        .target(
            name: "ExupCommandLine",
            dependencies: [
                "ExupCore", "ExupSystem", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The administrator's CLI; `exup pkg …` is the package tool.
        .executableTarget(
            name: "exup",
            dependencies: [
                "PackageFormat", "ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem", "ExupCommandLine", "ExupZip", "ManagerAPIModel",
                "Transport", "TUF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ]),

        // The manager: repository + manager + web UI in one process.
        .executableTarget(
            name: "exup-manager",
            dependencies: [
                "ManagerServer", "ManagerPostgres", "Repository", "ExupCore", "ExupSystem", "ExupCommandLine", "TOML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),

        // The agent's executable: the daemon and its local CLI.
        .executableTarget(
            name: "exup-agent",
            dependencies: [
                "Agent", "AgentServices", "ExupCore", "ExupFormats", "ExupSystem", "ExupCommandLine", "Inventory", "TOML", "TUF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // The TUF conformance suite's client CLI over exup's TUF client (built for tests, never shipped).
        .executableTarget(
            name: "exup-tuf-client",
            dependencies: [
                "TUF", "ExupFormats", "ExupSystem", "ExupCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks `make bench` runs (never shipped).
        .executableTarget(
            name: "exup-bench",
            dependencies: [
                "ApplicationLog", "Repository", "Manager", "ManagerSQLite", "PackageFormat", "ExupCore", "ExupCrypto", "ExupFormats", "ExupSystem",
                "TUF",
            ]),

        // A simulated BMC for the demo and the benchmarks (test support; never shipped).
        .executableTarget(name: "exup-sim-bmc", dependencies: ["ExupTesting"]),

        // Test support: hand-built (attacker-style) ZIP archives, openssl-signed fixtures, tool runners.
        .target(name: "ExupTesting", dependencies: ["ExupCore", "ExupCrypto", "CZlib", "Transport"]),

        .testTarget(name: "ExupCoreTests", dependencies: ["ExupCore", "ExupTesting"]),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory", "Agent", "ExupCore", "ExupTesting", "TOML"]),
        .testTarget(
            name: "RepositoryTests",
            dependencies: ["ApplicationLog", "Repository", "ExupCore", "ExupCrypto", "ExupFormats", "ExupTesting", "Transport", "TUF"]),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "AgentServices", "ExupCore", "ExupCrypto", "ExupTesting", "Transport", .product(name: "Logging", package: "swift-log"),
            ], exclude: ["Fixtures"]),
        // The manager's services and its SQLite store in process: store methods, races, batches and
        // policies on a hand-moved clock, databases written by the previous release.
        .testTarget(
            name: "ManagerServiceTests",
            dependencies: [
                "Manager", "ManagerSQLite", "ManagerPostgres", "Repository", "TUF", "ExupCore", "ExupFormats", "ExupTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ], exclude: ["Fixtures"]),
        // A live exup-manager over HTTP: the API, agents' enrolment and reports, the CLI, sync, abuse,
        // metrics, the application log; the routes in process through HummingbirdTesting.
        .testTarget(
            name: "ManagerTests",
            dependencies: [
                "Manager", "ManagerAPI", "ManagerAPIModel", "ManagerServer", "Repository", "TUF", "ExupCore", "ExupCrypto", "ExupFormats",
                "ExupTesting", "Transport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The web pages over HTTP and the web UI in headless Chromium.
        .testTarget(name: "ManagerWebTests", dependencies: ["ExupCore", "ExupTesting", "Repository", "Transport"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "ExupTesting"], exclude: ["python"]),
        .testTarget(
            name: "TUFTests", dependencies: ["TUF", "ExupFormats", "ExupTesting", "ExupCrypto", "ExupSystem", "Transport"], exclude: ["python"]),
        .testTarget(name: "PackageFormatTests", dependencies: ["PackageFormat", "ExupCore", "ExupTesting", "ExupCrypto", "ExupXML", "ExupZip"]),
    ],
    swiftLanguageModes: [.v6]
)
