import ExupCore
import Hummingbird
import ManagerHTTP
import Repository

/// The repository settings page (seed §3.3, §8.12): the upstream's address shown (R146), the sync
/// schedule, the proxy and the initial status icon edited, the repository password rotated.
extension WebRoutes {
    func registerSettings(on router: Router<ManagerRequestContext>) {
        router.get("/settings") { request, _ in try await page(request) { visit in settingsPage(visit) } }
        router.post("/settings") { request, _ in
            try await action(request, .administer, back: "/settings") { visit, form in
                let proxy: SavedRepositorySettings.Proxy? =
                    (form["proxy-host"] ?? "").isEmpty
                    ? nil
                    : SavedRepositorySettings.Proxy(
                        host: form["proxy-host"] ?? "", port: Int(form["proxy-port"] ?? "") ?? 0,
                        username: form["proxy-user"].flatMap { $0.isEmpty ? nil : $0 },
                        // An empty password field keeps the one in force (passwords are never sent to the page).
                        password: (form["proxy-password"] ?? "").isEmpty ? nil : form["proxy-password"],
                        auth: form["proxy-auth"] ?? "any")
                let proposed = SavedRepositorySettings(
                    syncIntervalHours: Int(form["interval"] ?? "") ?? -1, syncTime: form["time"] ?? "",
                    proxy: proxy, initialStatusIcon: form["icon"] ?? "", savedBy: "", savedAt: "")
                let outcome = try await editor.save(proposed, keepUnchecked: form.flag("keep"), actor: visit.principal.name)
                guard outcome.saved else {
                    throw WebRefusal("not saved: \(outcome.problem ?? "the check failed") (tick \"save even if the check fails\" to keep it anyway)")
                }
                return (outcome.problem.map { "saved, although the check found a problem: \($0)" } ?? "settings saved and in force", nil)
            }
        }
        router.post("/settings/password") { request, _ in
            try await action(request, .administer, back: "/settings") { visit, _ in
                let password = try editor.rotatePassword(actor: visit.principal.name)
                return ("the new repository password is \(password) — shown this once; give it to the managers that use this repository", nil)
            }
        }
    }

    func settingsPage(_ visit: Visit) -> WebPage {
        let settings = sync?.settings
        let schedule = settings?.schedule
        let proxy = settings?.proxy
        let icon = manager.statuses.initialStatusIcon
        let disabled = !visit.viewer.canAdminister
        let iconOptions = ManualIcon.allCases.map { option -> HTML in
            "<option value=\"\(option.rawValue)\"\(attribute: "selected", if: option == icon)>\(option.status.autoEquivalent.label)</option>"
        }
        let authOptions = ["any", "basic", "digest"].map { value -> HTML in
            "<option value=\"\(value)\"\(attribute: "selected", if: (proxy?.authentication.rawValue ?? "any") == value)>\(value)</option>"
        }
        let time = schedule.map { String(format2: $0.minuteOfDay / 60) + ":" + String(format2: $0.minuteOfDay % 60) } ?? "03:00"
        let upstream: HTML =
            remote.map { "<p>This manager uses the repository of \($0.settings.url) (remote mode, set in manager.toml).</p>" }
            ?? (settings.map { "<p>Upstream: <strong>\($0.url)</strong> <span class=\"muted\">(set in manager.toml; shown, not edited)</span></p>" }
                ?? "<p class=\"muted\">No upstream: packages are added by hand (set [repository.upstream] url in manager.toml to sync).</p>")
        let origin: HTML =
            editor.saved.map { "<p class=\"muted\">Saved by \($0.savedBy) at \($0.savedAt); these values take the place of manager.toml's.</p>" }
            ?? "<p class=\"muted\">The values of manager.toml are in force.</p>"
        let password: HTML =
            visit.viewer.canAdminister
            ? """
            <h2>Repository password</h2>
            <p>Managers that use this repository (remote mode) and upstream syncs of other repositories present it.</p>
            <form method="post" action="/settings/password">\(WebLayout.csrfField(visit.viewer))
            <button type="submit" class="danger">Change the repository password</button></form>
            """ : .empty
        let body: HTML = """
            <p><a href="/repository">Repository</a> › settings</p>
            \(upstream)
            \(origin)
            <form method="post" action="/settings">\(WebLayout.csrfField(visit.viewer))
            <fieldset\(attribute: "disabled", if: disabled)><legend>Automatic update</legend>
            <label for="interval">Every (hours; 0 = by hand only)</label> <input type="number" id="interval" name="interval" min="0" max="8760" value="\(schedule?.intervalHours ?? 0)">
            <label for="time">from (UTC)</label> <input type="text" id="time" name="time" value="\(time)" pattern="[0-2][0-9]:[0-5][0-9]" size="5">
            </fieldset>
            <fieldset\(attribute: "disabled", if: disabled)><legend>Proxy server</legend>
            <label for="proxy-host">Address (empty: none)</label> <input type="text" id="proxy-host" name="proxy-host" value="\(proxy?.host)">
            <label for="proxy-port">Port</label> <input type="number" id="proxy-port" name="proxy-port" min="1" max="65535" value="\(proxy.map { String($0.port) } ?? "")">
            <br><label for="proxy-user">User name</label> <input type="text" id="proxy-user" name="proxy-user" value="\(proxy?.username)" autocomplete="off">
            <label for="proxy-password">Password (empty: unchanged)</label> <input type="password" id="proxy-password" name="proxy-password" autocomplete="new-password">
            <label for="proxy-auth">Authentication</label> <select id="proxy-auth" name="proxy-auth">\(authOptions)</select>
            </fieldset>
            <fieldset\(attribute: "disabled", if: disabled)><legend>Download-only packages</legend>
            <label for="icon">Initial status icon</label> <select id="icon" name="icon">\(iconOptions)</select>
            </fieldset>
            \(visit.viewer.canAdminister ? "<p><label><input type=\"checkbox\" name=\"keep\"> Save even if the check fails</label> <button type=\"submit\">Save</button></p>" as HTML : "<p class=\"muted\">Changing the settings needs the administrator role.</p>" as HTML)
            </form>
            \(password)
            """
        return WebPage(title: "Repository settings", body: body, section: "repository")
    }
}
