import ArgumentParser
import ExupCommandLine
import FoundationEssentials
import ManagerAPIModel
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `exup repo`: the manager's package repository.
struct Repo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo",
        abstract: "Manage the manager's update package repository.",
        subcommands: [
            RepoTargets.self, RepoAdd.self, RepoList.self, RepoShow.self, RepoDelete.self, RepoClearDeletionHistory.self,
            RepoExport.self, RepoSync.self, RepoSettings.self, RepoPassword.self,
        ]
    )
}

/// One line of `exup repo add`: the manager's AddResult for an uploaded file, or why the file never left
/// this machine (not a package) or did not arrive (upload failed).
struct FileResult: Codable {
    var file: String; var packageID: String?; var result: String; var code: String; var message: String

    init(file: String, packageID: String? = nil, result: String, code: String, message: String) {
        (self.file, self.packageID, self.result, self.code, self.message) = (file, packageID, result, code, message)
    }

    init(_ added: Components.Schemas.AddResult) {
        self.init(file: added.file, packageID: added.packageID, result: added.result.rawValue, code: added.code.rawValue, message: added.message)
    }
}

typealias Listing = Components.Schemas.PackageListing

struct RepoTargets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "The (model, OS) pairs this repository serves until agents report.",
        subcommands: [Add.self, List.self, Remove.self], defaultSubcommand: List.self
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve a model running an OS (os-release ID or ID:VERSION_ID).")
        @Option(help: "The server model, as the inventory reads it (e.g. Express5800/R120h-1M).") var model: String
        @Option(help: "The OS: linux, an os-release id with version (debian:12), bmc or offline.") var os: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let body = Components.Schemas.PlatformRequest(model: model, os: os)
            let platforms = try await server.client().call { try await $0.addPlatform(body: .json(body)).created.body.json }
            try RepoTargets.show(platforms, json: output.json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the served (model, OS) pairs.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try RepoTargets.show(try await server.client().call { try await $0.listPlatforms().ok.body.json }, json: output.json)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop serving a (model, OS) pair; packages only it needed are removed.")
        @Option(help: "The server model.") var model: String
        @Option(help: "The OS, as added.") var os: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let body = Components.Schemas.PlatformRequest(model: model, os: os)
            let platforms = try await server.client().call { try await $0.removePlatform(body: .json(body)).ok.body.json }
            try RepoTargets.show(platforms, json: output.json)
        }
    }

    static func show(_ platforms: [Components.Schemas.ServedPlatform], json: Bool) throws {
        if json { try JSONOutput.print(platforms); return }
        if platforms.isEmpty { print("no (model, OS) pairs served"); return }
        print(TextTable.render(["MODEL", "OS", "ORIGIN"], platforms.map { [$0.model, $0.os, $0.origin] }))
    }
}

struct RepoAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add update packages to the repository; one result line per file.",
        discussion: """
            --mode needed (default): only packages a served model needs and generation management keeps. \
            --mode all: every valid package, kept outside generation management until deleted by hand. \
            One line per file: added, or why not. Exit status: 0 every file is in the repository (added, or it \
            already was); 1 none is (each refused or not needed); 2 some are.
            """
    )

    @Option(help: "needed or all.")
    var mode: String = "needed"

    @Argument(help: "Package files.")
    var files: [String]

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard ["needed", "all"].contains(mode) else { throw ValidationError("--mode must be needed or all") }
        guard !files.isEmpty else { throw ValidationError("name at least one package file") }
    }

    func run() async throws {
        let client = try server.client()
        var results: [FileResult] = []
        for file in files {
            let name = String(file.split(separator: "/").last ?? Substring(file))
            let result: FileResult
            if let problem = PackageFileCheck.problem(file) {
                // Named here, without a round trip: a directory, an empty file, a missing one.
                result = FileResult(file: name, result: "error", code: "not-a-package", message: problem)
            } else {
                let line = output.json ? nil : ProgressLine(fd: 2)  // stdout holds one result line per file
                let response = try client.upload("/api/v1/repository/packages?mode=\(mode)&name=\(ManagerClient.query(name))", file: file) {
                    sent, size in
                    guard size >= 8 << 20, let line else { return }  // a small file is done before a progress line helps
                    let percent = sent * 100 / max(size, 1)
                    line.update("\(file): uploading \(line.isLive ? percent : percent / 25 * 25)% of \(size >> 20) MiB")
                }
                line?.close()
                if [200, 201].contains(response.status) {
                    result = FileResult(try client.decode(Components.Schemas.AddResult.self, response))
                } else {
                    let refusal = ManagerClient.refusal(status: response.status, body: response.body, managerURL: client.base)
                    result = FileResult(file: name, result: "error", code: "upload-failed", message: refusal.message)
                }
            }
            results.append(result)
            let hint =
                result.code == "not-needed"
                ? " (no served model needs it yet: add it with --mode all, or serve its model with exup repo targets add --model M --os OS)" : ""
            if !output.json { print("\(file): \(result.result): \(result.message)" + (result.packageID.map { " [\($0)]" } ?? "") + hint) }
        }
        if output.json { try JSONOutput.print(results) }
        // 0: every file is in the repository (added, or already there); 1: none is; 2: some are.
        let kept = results.filter { $0.result == "normal" || $0.code == "already-exists" }.count
        if kept == 0 { throw ExitCode(ExitStatus.failure.rawValue) }
        if kept < results.count { throw ExitCode(ExitStatus.partial.rawValue) }
    }
}

struct RepoList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the repository's packages with their indicators (in use, auto-update, deleted, untrusted signer).",
        discussion: """
            Indicators: A auto-update, D download-only, N no downgrade, M multi-model, U in use by another \
            manager, I incompatible (newer package format; kept, never applied), P pinned (added with --mode all).
            """
    )

    @Option(help: "component (by module, default) or model.")
    var by: String = "component"

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func validate() throws { guard ["component", "model"].contains(by) else { throw ValidationError("--by must be component or model") } }

    func run() async throws {
        let listings = try await server.client().call { try await $0.listPackages().ok.body.json }
        if output.json { try JSONOutput.print(listings); return }
        if listings.isEmpty { print("the repository holds no packages"); return }
        func flags(_ i: Components.Schemas.PackageIndicators) -> String {
            (i.autoUpdate ? "A" : "D") + (i.noDowngrade ? "N" : "-") + (i.multiModel ? "M" : "-") + (i.inUseByAnotherManager ? "U" : "-")
                + (i.incompatible ? "I" : "-") + (i.pinned ? "P" : "-")
        }
        if by == "model" {
            var rows: [[String]] = []
            let models = Set(listings.flatMap { $0.targets.map(\.model) }).sorted()
            for model in models {
                for listing in listings.filter({ $0.targets.contains { $0.model == model } }).sorted(by: {
                    ($0.module, $0.releaseDate) < ($1.module, $1.releaseDate)
                }) {
                    let oses = listing.targets.filter { $0.model == model }.map(\.os).joined(separator: ",")
                    rows.append([model, oses, listing.module, listing.version, listing.releaseDate, flags(listing.indicators), listing.id])
                }
            }
            print(TextTable.render(["MODEL", "OS", "MODULE", "VERSION", "RELEASED", "FLAGS", "PACKAGE"], rows))
        } else {
            let rows = listings.sorted { ($0.module, $0.releaseDate, $0.id) < ($1.module, $1.releaseDate, $1.id) }.map {
                [
                    $0.module, $0.version, $0.releaseDate, flags($0.indicators), $0.id,
                    $0.targets.map { "\($0.model) [\($0.os)]" }.joined(separator: ", "),
                ]
            }
            print(TextTable.render(["MODULE", "VERSION", "RELEASED", "FLAGS", "PACKAGE", "TARGETS"], rows))
        }
    }
}

struct RepoShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one package's details.")
    @Argument(help: "The package id (exup repo list shows it).") var id: String
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let listing = try await server.client().call { try await $0.getPackage(path: .init(id: id)).ok.body.json }
        if output.json { try JSONOutput.print(listing); return }
        print(
            """
            package:   \(listing.id) — \(listing.name)
            module:    \(listing.module) (\(listing.moduleName))  version \(listing.version), released \(listing.releaseDate)
            targets:   \(listing.targets.map { "\($0.model) [\($0.os)]" }.joined(separator: ", "))
            size:      \(listing.size) bytes, sha256 \(listing.sha256)
            added:     \(listing.addedAt.utc)\(listing.indicators.pinned ? " (pinned: added with --mode all)" : "")
            """)
    }
}

struct RepoDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete packages; one result line per package; deleted packages are never downloaded again.",
        discussion: "Without --force, packages another manager uses are kept. Exit status: 0 all deleted, 1 none, 2 some."
    )
    @Flag(help: "Also delete packages another manager uses.")
    var force = false
    @Argument(help: "The package ids to delete.") var ids: [String]
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let body = Components.Schemas.DeleteRequest(ids: ids, force: force)
        let results = try await server.client().call { try await $0.deletePackages(body: .json(body)).ok.body.json }
        if output.json {
            try JSONOutput.print(results)
        } else {
            for result in results { print("\(result.packageID): \(result.result.rawValue): \(result.message)") }
        }
        let failed = results.filter { $0.result != .normal }.count
        if failed > 0 { throw ExitCode(failed == results.count ? ExitStatus.failure.rawValue : ExitStatus.partial.rawValue) }
    }
}

struct RepoClearDeletionHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear-deletion-history",
        abstract: "Forget every deleted package at once, so later syncs may fetch them again.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let result = try await server.client().call { try await $0.clearDeletionHistory().ok.body.json }
        if output.json { try JSONOutput.print(result) } else { print("cleared \(result.cleared) deletion records") }
    }
}

/// Set by SIGINT while an export runs, so the job is cancelled on the server too.
let interrupted = Atomic<Bool>(false)

struct RepoExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Save packages as one archive (packages/, css/, index.html) for applying by hand.",
        discussion: "Ctrl-C cancels the export on the manager as well."
    )
    @Option(help: "Where to write the archive (.zip).")
    var out: String
    @Flag(help: "Every stored version of each package's module, not just the named ones.")
    var allVersions = false
    @Argument(help: "The package ids to put in the archive.") var ids: [String]
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let client = try server.client()
        let body = Components.Schemas.ExportRequest(ids: ids, allVersions: allVersions)
        var status = try await client.call { try await $0.startExport(body: .json(body)).accepted.body.json }
        signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
        let line = output.json ? nil : ProgressLine(fd: 2)
        defer { line?.close() }
        while status.state == .running {
            if interrupted.load(ordering: .relaxed) {
                let id = status.id
                _ = try? await client.call { try await $0.cancelExport(path: .init(id: id)) }
                printError("export cancelled")
                throw ExitCode(130)
            }
            line?.update("exporting: \(status.done)/\(status.total) packages")
            try await Task.sleep(for: .milliseconds(200))
            let id = status.id
            status = try await client.call { try await $0.getExport(path: .init(id: id)).ok.body.json }
        }
        line?.close()
        guard status.state == .done else { throw CommandFailure("export \(status.state.rawValue): \(status.error ?? "")") }
        line?.finish("exported \(status.total) package(s); downloading the archive")
        let temporary = out + ".partial"
        do {
            let response = try client.http.download(
                client.base + "/api/v1/repository/exports/\(status.id)/archive", to: temporary,
                maxBytes: 0, resume: false)
            guard response.status == 200 else { unlink(temporary); throw CommandFailure("download failed: HTTP \(response.status)") }
        } catch let error as CommandFailure { throw error } catch {
            unlink(temporary)
            throw CommandFailure("download failed: \(error)")
        }
        guard rename(temporary, out) == 0 else { throw CommandFailure("cannot write \(out): \(String(cString: strerror(errno)))") }
        if output.json {
            struct Written: Encodable { var archive: String; var packages: Int }
            try JSONOutput.print(Written(archive: out, packages: status.total))
        } else {
            print("wrote \(out): \(status.total) package\(status.total == 1 ? "" : "s"), index.html inside")
        }
    }
}
