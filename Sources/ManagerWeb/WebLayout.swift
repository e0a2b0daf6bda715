/// The page shell every page shares: navigation, the logged-in user, flash messages, and the
/// stylesheet and script (served from the binary, no assets from elsewhere).
struct WebPage: Sendable {
    var title: String
    var body: HTML
    /// Set while something runs: the script re-reads the page's live regions every few seconds.
    var refreshSeconds: Int? = nil
    var section: String = ""
}

struct WebViewer: Sendable {
    var name: String
    var role: String
    var csrf: String
    var canApply: Bool
    var canAdminister: Bool
}

enum WebLayout {
    static func render(_ page: WebPage, viewer: WebViewer?, flash: [WebFlash.Message] = []) -> HTML {
        let nav: HTML
        if let viewer {
            let links = [
                ("fleet", "/fleet", "Fleet"), ("schedules", "/schedules", "Schedules"), ("repository", "/repository", "Repository"),
                ("log", "/log", "Application log"),
            ].map { key, href, label -> HTML in
                "<li><a href=\"\(href)\"\(HTML(raw: key == page.section ? " aria-current=\"page\"" : ""))>\(label)</a></li>"
            }
            nav = """
                <nav class="top" aria-label="Main"><a class="brand" href="/fleet">exup</a><ul>\(links)</ul>
                <form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="\(viewer.csrf)">
                <span class="who">\(viewer.name) (\(viewer.role))</span> <button type="submit">Log out</button></form></nav>
                """
        } else {
            nav = "<nav class=\"top\" aria-label=\"Main\"><span class=\"brand\">exup</span></nav>"
        }
        let messages = flash.map { message -> HTML in
            "<p class=\"flash \(message.isError ? "error" : "ok")\" role=\"\(message.isError ? "alert" : "status")\">\(message.text)</p>"
        }
        let refresh: HTML = page.refreshSeconds.map { "<meta name=\"exup-refresh\" content=\"\($0)\">" } ?? .empty
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(page.title) — exup</title>
            <link rel="stylesheet" href="/static/exup.css">
            \(refresh)
            <script src="/static/exup.js" defer></script>
            </head>
            <body>
            \(nav)
            <main>
            <h1>\(page.title)</h1>
            \(messages)
            \(page.body)
            </main>
            </body>
            </html>

            """
    }

    /// A status as an icon and its words (the icon is decoration; the words are what a screen reader says).
    static func status(_ key: String, _ text: String) -> HTML {
        "<span class=\"status s-\(key)\"><span class=\"icon\" aria-hidden=\"true\"></span>\(text)</span>"
    }

    /// A labelled progress bar.
    static func progress(_ percent: Int, label: String) -> HTML {
        "<progress max=\"100\" value=\"\(percent)\" aria-label=\"\(label)\">\(percent) %</progress> <span class=\"pct\">\(percent) %</span>"
    }

    static func csrfField(_ viewer: WebViewer) -> HTML { "<input type=\"hidden\" name=\"csrf\" value=\"\(viewer.csrf)\">" }

    static let stylesheet = """
        :root { --fg: #1d2733; --muted: #5b6775; --line: #d5dbe2; --bg: #f6f8fa; --accent: #0b5cad; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
        nav.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .5rem 1rem; background: #14263b; color: #fff; }
        nav.top a { color: #fff; text-decoration: none; }
        nav.top a[aria-current] { text-decoration: underline; text-underline-offset: .3em; }
        nav.top .brand { font-weight: 700; font-size: 1.1rem; }
        nav.top ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; margin: 0; padding: 0; }
        nav.top .logout { margin-left: auto; display: flex; align-items: center; gap: .5rem; }
        main { padding: 1rem; max-width: 1280px; margin: 0 auto; }
        h1 { font-size: 1.4rem; margin: .3rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--bg); font-weight: 600; }
        .scroll { overflow-x: auto; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; margin: .75rem 0; padding: .5rem .75rem; }
        legend { font-weight: 600; padding: 0 .3rem; }
        label { margin-right: 1rem; white-space: nowrap; }
        input[type=text], input[type=password], input[type=search], input[type=datetime-local], input[type=number], select {
          font: inherit; padding: .3rem .4rem; border: 1px solid #aab4bf; border-radius: 4px; max-width: 100%; }
        button { font: inherit; padding: .35rem .9rem; border-radius: 4px; border: 1px solid #0a4f94; background: var(--accent); color: #fff; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        button.danger { background: var(--bad); border-color: #a40e26; }
        .flash { padding: .5rem .75rem; border-radius: 4px; }
        .flash.ok { background: #dafbe1; }
        .flash.error { background: #ffebe9; }
        .status { white-space: nowrap; }
        .status .icon { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .35em; background: var(--muted); vertical-align: -.05em; }
        .s-latest .icon, .s-manual-latest .icon { background: var(--ok); }
        .s-update-available .icon, .s-manual-update-available .icon, .s-waiting-apply .icon, .s-waiting-uninstall .icon { background: var(--accent); }
        .s-applying .icon, .s-uninstalling .icon, .s-rebooting .icon { background: #8250df; }
        .s-reboot-required .icon, .s-cancelled .icon { background: var(--warn); }
        .s-apply-failed .icon, .s-communication-failure .icon { background: var(--bad); }
        .counts { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; list-style: none; padding: 0; }
        .muted { color: var(--muted); }
        form[role=search] { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem 1rem; }
        .field { display: inline-flex; align-items: center; gap: .4rem; flex-wrap: wrap; }
        .field label { margin-right: 0; }
        .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        form.inline { display: inline-block; margin: .15rem .25rem .15rem 0; }
        .tabs { display: flex; gap: .5rem; margin: 1rem 0 .25rem; flex-wrap: wrap; }
        .tabs a { padding: .3rem .8rem; border: 1px solid var(--line); border-radius: 4px 4px 0 0; text-decoration: none; }
        .tabs a[aria-current] { background: var(--bg); font-weight: 600; }
        .login { max-width: 22rem; margin: 3rem auto; }
        .login label { display: block; margin: .75rem 0 .25rem; }
        .login input { width: 100%; }
        progress { width: 8rem; vertical-align: middle; }
        @media (max-width: 700px) {
          main { padding: .6rem; }
          th, td { padding: .3rem; }
          .hide-narrow { display: none; }
          nav.top .logout { margin-left: 0; }
        }
        """

    /// Keeps the live regions of a page current while a run goes on: the page is fetched again and each
    /// element with `data-live` replaced, so form fields being filled in are left alone.
    static let script = """
        "use strict";
        (function () {
          var meta = document.querySelector('meta[name="exup-refresh"]');
          if (!meta) { return; }
          var seconds = Math.max(2, parseInt(meta.content, 10) || 5);
          function refresh() {
            fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (text) {
                if (!text) { return; }
                var fresh = new DOMParser().parseFromString(text, "text/html");
                document.querySelectorAll("[data-live]").forEach(function (old) {
                  var replacement = fresh.getElementById(old.id);
                  if (replacement) { old.replaceWith(document.importNode(replacement, true)); }
                });
                if (fresh.querySelector('meta[name="exup-refresh"]')) { setTimeout(refresh, seconds * 1000); }
              })
              .catch(function () { setTimeout(refresh, seconds * 2000); });
          }
          setTimeout(refresh, seconds * 1000);
        })();
        """
}
