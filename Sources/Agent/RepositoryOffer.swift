import ExupCore
import ExupFormats
import ExupSystem
import FoundationEssentials
import TUF
import Transport

/// A package the repository offers for this server's model, as its TUF targets metadata describes it.
public struct OfferedPackage: Sendable, Codable, Hashable {
    /// The TUF target path (`models/<slug>/<id>.zip`): what the agent downloads and checks.
    public var path: String
    public var length: Int
    /// Algorithm → hex digest, from the targets metadata (nil only in state written by older agents).
    public var hashes: [String: String]?
    public var info: PackageInfo

    /// The hash-prefixed name the repository serves it under (consistent snapshots).
    public var consistentPath: String? {
        guard let sha256 = hashes?["sha256"] else { return nil }
        guard let slash = path.lastIndex(of: "/") else { return sha256 + "." + path }
        return String(path[...slash]) + sha256 + "." + String(path[path.index(after: slash)...])
    }
}

/// Refreshes the repository's TUF metadata against the root pinned at enrolment (the client workflow,
/// every check) and reads what the repository offers for one model. Metadata that fails a check is
/// refused: the last trusted copies stay in `metadataDirectory` untouched.
public struct RepositoryOffer {
    let metadataDirectory: String
    let repositoryURL: String
    let client: HTTPClient

    public init(metadataDirectory: String, managerURL: String, credential: String, caFile: String?, proxy: ProxySettings? = nil) {
        self.metadataDirectory = metadataDirectory
        repositoryURL = ManagerLink.repositoryURL(managerURL)
        client = ManagerLink.client(credential: credential, caFile: caFile, proxy: proxy, totalTimeoutSeconds: 120)
    }

    /// Like `refresh`, but first a conditional GET of timestamp.json: a 304 while the trusted timestamp
    /// has not expired keeps `cached` (no metadata parsed, nothing written). Returns the offer and the ETag.
    public func refresh(model: String, now: Int64, etag: String?, cached: [OfferedPackage]?) throws -> ([OfferedPackage], String?) {
        var current: String?
        do {
            let response = try client.get(
                repositoryURL + "/metadata/timestamp.json", headers: etag.map { ["If-None-Match": $0] } ?? [:], maxBytes: 16 << 10)
            if response.status == 304, let cached, trustedTimestampValid(now: now) { return (cached, etag) }
            if response.status == 200 { current = response.etag }
        } catch {
            throw RepositoryUnreachable(description: "cannot reach the repository at \(repositoryURL): \(error)")
        }
        return (try refresh(model: model, now: now), current)
    }

    /// Whether the trusted timestamp on disk is still within its expiry (freeze attacks end there).
    func trustedTimestampValid(now: Int64) -> Bool {
        guard let bytes = LocalFile.read(metadataDirectory + "/timestamp.json", limit: 16 << 10), let json = try? JSON.parse(bytes),
            let text = json["signed"]?["expires"]?.string, let expires = UTCTime(text)
        else { return false }
        return expires.seconds > now
    }

    /// The packages offered for `model`, newest metadata first verified. Throws the TUF refusal in words.
    public func refresh(model: String, now: Int64) throws -> [OfferedPackage] {
        var updater: Updater
        do {
            updater = try Updater(
                metadataDirectory: metadataDirectory, metadataURL: repositoryURL + "/metadata/",
                fetcher: HTTPFetcher(client: client), referenceTime: UTCTime(seconds: now))
            try updater.refresh()
            guard let targets = try updater.delegatedTargets(ModelSlug.role(for: Platform.normalizedModel(model))) else { return [] }
            return try targets.targets.values.sorted { $0.path < $1.path }.compactMap(Self.offered)
        } catch TUFError.download(let url, let reason) {
            throw RepositoryUnreachable(description: "cannot reach the repository at \(url): \(reason)")
        } catch {
            throw AgentError("repository metadata refused: \(error)")
        }
    }

    /// A target's ExUpInfo metadata, from the `custom.exup.info` the repository publishes.
    static func offered(_ target: TargetFile) throws -> OfferedPackage? {
        guard let info = target.custom?["exup"]?["info"] else { return nil }
        guard let decoded = try? JSONDecoder().decode(PackageInfo.self, from: Data(info.prettyBytes)) else { return nil }
        return OfferedPackage(path: target.path, length: target.length, hashes: target.hashes, info: decoded)
    }
}

/// The repository could not be reached: not a refusal (nothing untrusted was offered), the last trusted
/// metadata simply stays until the next poll.
public struct RepositoryUnreachable: Error, Sendable, CustomStringConvertible {
    public var description: String
}
