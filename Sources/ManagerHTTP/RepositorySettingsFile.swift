import ExupCore
import ExupSystem
import FoundationEssentials
import Transport

/// The repository settings saved from the settings page or `POST /api/v1/repository/settings` (R152): the
/// sync schedule, the proxy and the initial status icon, in DATA/repository-settings.json (0600: it can
/// hold the proxy's password). Once saved they take the place of manager.toml's values for these keys at
/// every start; the upstream's address and password stay the file's (R146).
package struct SavedRepositorySettings: Codable, Sendable, Equatable {
    package struct Proxy: Codable, Sendable, Equatable {
        package var host: String
        package var port: Int
        package var username: String?
        package var password: String?
        package var auth: String

        package init(host: String, port: Int, username: String?, password: String?, auth: String) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.auth = auth
        }
    }

    /// Hours between syncs; 0 = by hand only.
    package var syncIntervalHours: Int
    /// HH:MM UTC the runs are aligned on.
    package var syncTime: String
    package var proxy: Proxy?
    package var initialStatusIcon: String
    package var savedBy: String
    package var savedAt: String

    package static func path(_ dataDirectory: String) -> String { dataDirectory + "/repository-settings.json" }

    package static func load(dataDirectory: String) throws -> SavedRepositorySettings? {
        guard let bytes = LocalFile.read(path(dataDirectory), limit: 64 << 10) else { return nil }
        do { return try JSONDecoder().decode(SavedRepositorySettings.self, from: Data(bytes)) } catch {
            throw RepositorySettingsError("\(path(dataDirectory)) is damaged (\(error)): fix or remove it; manager.toml's settings apply without it")
        }
    }

    package func save(dataDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try LocalFile.writeAtomically(Array(try encoder.encode(self)), to: Self.path(dataDirectory), mode: 0o600)
    }

    /// Checks every field; the values as the running parts take them.
    package func validated() throws -> (schedule: SyncSchedule?, proxy: ProxySettings?, icon: ManualIcon) {
        guard (0...8760).contains(syncIntervalHours) else { throw RepositorySettingsError("the sync interval is 0 (by hand only) to 8760 hours") }
        guard let minute = SyncSchedule.minuteOfDay(syncTime) else {
            throw RepositorySettingsError("the sync time must be HH:MM (UTC), not \(syncTime)")
        }
        guard let icon = ManualIcon(rawValue: initialStatusIcon) else {
            throw RepositorySettingsError("the initial status icon must be one of: \(ManualIcon.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var proxySettings: ProxySettings?
        if let proxy {
            let host = proxy.host.trimmingScalars(in: " ")
            guard !host.isEmpty, host.count <= 253, !host.contains("/"), !host.contains(" ") else {
                throw RepositorySettingsError("the proxy address must be a host name or IP address")
            }
            guard (1...65535).contains(proxy.port) else { throw RepositorySettingsError("the proxy port must be 1 to 65535") }
            let authentication: ProxySettings.Authentication
            do { authentication = try ProxySettings.authentication(proxy.auth) } catch { throw RepositorySettingsError("\(error)") }
            let user = proxy.username.flatMap { $0.isEmpty ? nil : $0 }
            proxySettings = ProxySettings(
                host: host, port: proxy.port, username: user, password: user == nil ? nil : proxy.password, authentication: authentication)
        }
        return (syncIntervalHours == 0 ? nil : SyncSchedule(intervalHours: syncIntervalHours, minuteOfDay: minute), proxySettings, icon)
    }

    package init(syncIntervalHours: Int, syncTime: String, proxy: Proxy?, initialStatusIcon: String, savedBy: String, savedAt: String) {
        self.syncIntervalHours = syncIntervalHours
        self.syncTime = syncTime
        self.proxy = proxy
        self.initialStatusIcon = initialStatusIcon
        self.savedBy = savedBy
        self.savedAt = savedAt
    }
}

package struct RepositorySettingsError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

extension String {
    /// Two digits: the hours and minutes of a sync time.
    package init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
