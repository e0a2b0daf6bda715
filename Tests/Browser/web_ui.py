"""The manager's pages driven in headless Chromium (Debian's chromium and chromium-driver, Selenium).

Run by the Swift test WebUITests against an exup-manager it seeded; prints one line per check and exits
non-zero at the first failure. Screenshots of the main pages go to --screenshots.
"""
import argparse
import http.cookiejar
import json
import sys
import urllib.request

import html5lib
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def check(condition, what):
    if not condition:
        print("FAIL:", what, flush=True)
        raise SystemExit(1)
    print("ok:", what, flush=True)


class Browser:
    def __init__(self, url, shots):
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,800", "--no-first-run", "--disable-extensions"):
            options.add_argument(argument)
        options.binary_location = "/usr/bin/chromium"
        self.driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(30)
        self.url = url
        self.shots = shots

    def get(self, path):
        self.driver.get(self.url + path)

    def path(self):
        return self.driver.current_url[len(self.url):]

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def flash(self):
        return " | ".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".flash"))

    def shot(self, name):
        """A screenshot, and the page's controls checked for accessible names."""
        self.driver.save_screenshot(f"{self.shots}/{name}.png")
        unnamed = self.driver.execute_script("""
            return Array.from(document.querySelectorAll('input:not([type=hidden]), select, button')).filter(function (e) {
              var label = e.labels && e.labels.length ? e.labels[0].textContent.trim() : '';
              return !(label || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent.trim()));
            }).map(function (e) { return e.outerHTML; });""")
        check(not unnamed, f"every control on the {name} page has an accessible name {unnamed}")

    def click_and_wait(self, element):
        """Clicks something that loads a new page, and waits until it has."""
        # A mark on the current window object: a new page has none.
        self.driver.execute_script("window.__exupOldPage = true")
        element.click()
        WebDriverWait(self.driver, 15).until(
            lambda d: d.execute_script("return window.__exupOldPage !== true && document.readyState === 'complete'"))

    def login(self, user, password):
        self.get("/login")
        self.driver.find_element(By.NAME, "username").send_keys(user)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.click_and_wait(self.driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))

    def logout(self):
        self.click_and_wait(self.driver.find_element(By.CSS_SELECTOR, "form.logout button"))

    def submit(self, form_selector):
        self.click_and_wait(self.driver.find_element(By.CSS_SELECTOR, form_selector + " button[type=submit]"))

    def no_alert(self):
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            return f"an alert opened: {text}"
        except Exception:
            return None

    def raw(self, path):
        """The page's HTML as the server sent it (with this browser's session cookie)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(self.url + path, headers={"Cookie": cookie})
        with opener.open(request) as response:
            return response.read(), dict(response.headers)


def valid_html(source, what):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(source)
    except Exception as error:  # html5lib raises ParseError with the position
        check(False, f"{what} is valid HTML5 ({error})")
    check(True, f"{what} is valid HTML5")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seed", required=True, help="JSON: users, passwords, servers, group, package file")
    parser.add_argument("--screenshots", required=True)
    arguments = parser.parse_args()
    seed = json.load(open(arguments.seed))
    b = Browser(arguments.url, arguments.screenshots)
    try:
        run(b, seed)
    finally:
        b.driver.quit()


def run(b, seed):
    operator, viewer, admin = seed["operator"], seed["viewer"], seed["admin"]

    # Log in: / goes to /login; a wrong password is refused; the notice is shown once.
    b.get("/")
    check(b.path() == "/login", "/ redirects to /login when logged out")
    cookie_flags = b.raw("/login")[1].get("Set-Cookie", "")
    check("HttpOnly" in cookie_flags and "SameSite=Strict" in cookie_flags, "the login cookie is HttpOnly and SameSite=Strict")
    b.login(operator["name"], "wrong password")
    check(b.path() == "/login" and "password" in b.flash().lower(), f"a wrong password is refused: {b.flash()}")
    b.login(operator["name"], operator["password"])
    check(b.path() == "/fleet", f"the operator lands on the fleet page ({b.path()}: {b.text()[:300]})")
    check("New update packages were added" in b.flash(), f"the new-package notice is shown after login: {b.flash()}")
    session = next(c for c in b.driver.get_cookies() if c["name"] == "exup_session")
    check(session["httpOnly"] and session.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict")
    b.logout()
    b.login(operator["name"], operator["password"])
    check("New update packages were added" not in b.flash(), "the notice is shown once only")

    # Fleet: servers, status text, counts, search.
    text = b.text()
    for server in seed["servers"]:
        check(server in text, f"the fleet lists {server}")
    check("Update available" in text, "the fleet shows the status text")
    b.shot("fleet")
    valid_html(b.raw("/fleet")[0], "the fleet page")
    b.driver.find_element(By.ID, "q").send_keys(seed["servers"][1])
    b.submit("form[role=search]")
    rows = b.driver.find_elements(By.CSS_SELECTOR, "#servers tbody tr")
    check(len(rows) == 1 and seed["servers"][1] in rows[0].text, "search by name narrows the list")

    # Approve for one server, then cancel.
    first = seed["servers"][0]
    b.get(f"/servers/{first}")
    b.driver.find_element(By.CSS_SELECTOR, "input[name=module][value='bmc-firmware']").click()
    b.submit(f"form[action='/servers/{first}/approve']")
    check("approved 1 item" in b.flash(), f"approve for one server: {b.flash()}")
    check("Waiting (not started)" in b.driver.find_element(By.ID, "run").text, "the run shows the approved item")
    b.shot("server")
    valid_html(b.raw(f"/servers/{first}")[0], "the server page")
    b.submit(f"form[action='/servers/{first}/cancel']")
    check("cancelled 1 item" in b.flash(), f"cancel the item not started: {b.flash()}")

    # Group apply.
    group = seed["group"]
    b.get(f"/groups/{group}")
    # web01's module reads "Cancelled" now (Table 8): "update available" would pick web02 alone, and
    # "every module with an update" finds none on web01; naming the module approves it on both.
    Select(b.driver.find_element(By.ID, "apply-filter")).select_by_value("all")
    b.driver.find_element(By.ID, "apply-module").send_keys("bmc-firmware")
    b.submit(f"form[action='/groups/{group}/approve']")
    check(f"approved on {len(seed['servers'])} of {len(seed['servers'])} servers" in b.flash(), f"group apply: {b.flash()}")
    check(b.driver.find_elements(By.CSS_SELECTOR, "#group-progress progress"), "the group shows its overall progress")
    b.shot("group")
    valid_html(b.raw(f"/groups/{group}")[0], "the group page")

    # A page with work open refreshes its live parts by itself: cancel from elsewhere, watch it change.
    b.get(f"/servers/{first}")
    check(b.driver.find_elements(By.CSS_SELECTOR, "meta[name=exup-refresh]"), "a server with an open item asks for refreshes")
    check("Waiting (not started)" in b.driver.find_element(By.ID, "run").text, "the group's item waits on the first server")
    b.driver.execute_script("window.__exupSamePage = true")
    token = b.driver.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in b.driver.get_cookies())
    urllib.request.urlopen(urllib.request.Request(b.url + f"/servers/{first}/cancel", data=f"csrf={token}".encode(),
                                                  headers={"Cookie": cookie}))
    WebDriverWait(b.driver, 15).until(lambda d: "Cancelled" in d.find_element(By.ID, "run").text)
    check(b.driver.execute_script("return window.__exupSamePage === true"), "the run table changed without reloading the page")

    # Schedules: create and delete a batch.
    b.get("/schedules")
    Select(b.driver.find_element(By.ID, "kind")).select_by_value("server")
    b.driver.find_element(By.ID, "target").send_keys(first)
    b.driver.execute_script("document.getElementById('start').value = arguments[0]", seed["scheduleStart"])
    b.submit("form[action='/schedules']")
    check("created" in b.flash(), f"a remote batch is created: {b.flash()}")
    b.shot("schedules")
    valid_html(b.raw("/schedules")[0], "the schedules page")
    b.click_and_wait(b.driver.find_element(By.CSS_SELECTOR, "form[action$='/delete'] button"))
    check("deleted" in b.flash(), f"the batch is deleted: {b.flash()}")
    b.logout()

    # Repository (administrator): upload, the hostile name shown as text, delete.
    b.login(admin["name"], admin["password"])
    b.get("/repository")
    b.driver.find_element(By.ID, "files").send_keys(seed["uploadFile"])
    b.driver.find_element(By.CSS_SELECTOR, "input[name=mode][value=all]").click()
    b.submit("form[action^='/repository/add']")
    check("added" in b.flash(), f"upload adds the package: {b.flash()}")
    check(b.no_alert() is None, "no script ran")
    check(seed["hostileName"] in b.text(), "a package name holding <script> shows as text")
    b.shot("repository")
    valid_html(b.raw("/repository")[0], "the repository page")
    b.driver.find_element(By.CSS_SELECTOR, f"input[name=package][value='{seed['uploadID']}']").click()
    b.click_and_wait(b.driver.find_element(By.CSS_SELECTOR, "button[formaction='/repository/delete']"))
    check(f"{seed['uploadID']}: deleted" in b.flash(), f"delete removes it: {b.flash()}")

    # Repository settings: the schedule and the initial icon, then a new repository password.
    b.get("/settings")
    interval = b.driver.find_element(By.ID, "interval")
    interval.clear()
    interval.send_keys("12")
    time_field = b.driver.find_element(By.ID, "time")
    time_field.clear()
    time_field.send_keys("04:15")
    Select(b.driver.find_element(By.ID, "icon")).select_by_value("no-package")
    b.submit("form[action='/settings']")
    check("settings saved and in force" in b.flash(), f"settings saved: {b.flash()}")
    check(b.driver.find_element(By.ID, "interval").get_attribute("value") == "12", "the page shows the saved interval")
    b.shot("settings")
    valid_html(b.raw("/settings")[0], "the settings page")
    b.submit("form[action='/settings/password']")
    check("the new repository password is" in b.flash(), f"the repository password is rotated and shown once: {b.flash()}")
    b.get("/settings")
    check("the new repository password is" not in b.flash(), "shown once only")

    # The application log with a filter.
    b.get("/log")
    b.driver.find_element(By.ID, "q").send_keys(seed["uploadID"])
    b.submit("form[role=search]")
    rows = b.driver.find_elements(By.CSS_SELECTOR, "#log tbody tr")
    check(rows and all(seed["uploadID"] in r.text for r in rows), f"the log filter by text ({len(rows)} rows)")
    b.shot("log")
    valid_html(b.raw("/log")[0], "the log page")
    b.logout()

    # A read-only user: no controls, and a forged form is refused by the server.
    b.login(viewer["name"], viewer["password"])
    b.get(f"/servers/{first}")
    check(not b.driver.find_elements(By.CSS_SELECTOR, "input[name=module]"), "no module checkboxes for a viewer")
    check(not b.driver.find_elements(By.CSS_SELECTOR, f"form[action='/servers/{first}/approve']"), "no Approve for a viewer")
    b.driver.execute_script("""
        var form = document.createElement('form'); form.method = 'post'; form.action = arguments[0];
        for (var [k, v] of [['csrf', document.querySelector('input[name=csrf]').value], ['module', 'bmc-firmware']]) {
          var input = document.createElement('input'); input.type = 'hidden'; input.name = k; input.value = v; form.appendChild(input); }
        document.body.appendChild(form); form.submit();""", f"/servers/{first}/approve")
    WebDriverWait(b.driver, 15).until(lambda d: d.execute_script("return document.title.startsWith('Refused') && document.readyState === 'complete'"))
    check("needs the apply permission" in b.text(), f"the server refuses a viewer's approval: {b.text()[:200]}")
    b.get("/fleet")

    # Widths: a laptop and a phone.
    for width, height, suffix in ((1280, 800, "1280"), (390, 844, "phone")):
        b.driver.set_window_size(width, height)
        for path, name in (("/fleet", "fleet"), (f"/servers/{first}", "server"), ("/repository", "repository"), ("/log", "log")):
            b.get(path)
            overflow = b.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            check(overflow <= 1, f"the {name} page fits {width} px wide (overflow {overflow} px)")
            b.shot(f"{name}-{suffix}")
    print("all checks passed", flush=True)


if __name__ == "__main__":
    main()
