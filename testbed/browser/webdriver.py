#!/usr/bin/env python3
"""Headless Chromium over WebDriver (python3 standard library only).

Starts `chromedriver` (Debian package chromium-driver) on a free loopback port,
opens a Chromium session (headless, fresh --user-data-dir), runs steps, and
ends everything it started by PID, however the run ends.

As a library (what an end-to-end test script does):

    from webdriver import Browser
    with Browser(artifacts="target/browser") as b:
        b.open("http://127.0.0.1:8080/saml/acme/init")
        b.fill("username", "alice"); b.fill("password", "alice-password")
        b.click("button[type=submit], input[type=submit]")
        b.wait_url(lambda u: u.startswith("http://127.0.0.1:8080/me"))
        b.wait_text("alice@acme.example")
        b.screenshot("target/browser/signed-in.png")

As a command, steps run in order (exit 0 when all pass, 1 on the first that
fails, after saving <artifacts>/failure.png and failure.html; 2 on bad usage):

    webdriver.py [--timeout S] [--artifacts DIR] STEP...
      open URL                 navigate and wait for the page load
      fill NAME VALUE          type VALUE into the (first) field named NAME
      click CSS                click the first element matching the CSS selector
      submit                   click the first submit button on the page
      post-form URL JSON       build a form (JSON object of fields) and POST it
                               to URL from the current page, as a browser would
      wait-url SUBSTRING       until the current URL contains SUBSTRING
      wait-text SUBSTRING      until the page's visible text contains SUBSTRING
      screenshot PATH          save a PNG of the viewport
      text                     print the page's visible text (JSON string)
    webdriver.py --self-test   the harness against the SimpleSAMLphp testbed

stdout: one JSON line per step ({"step": ..., "ok": true, ...}), then a
final {"ok": ..., "url": ..., "title": ...}.

Every wait is bounded (--timeout, default 15 s); the whole run by the
caller's `timeout`. Only loopback chromedriver; the browser itself goes
wherever the pages send it, so point it at loopback URLs only.
"""

import base64
import html
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1024,768",
]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


class WebDriverError(Exception):
    pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise WebDriverError(
        "none of %s found: run testbed/browser/install.sh" % ", ".join(names)
    )


def pids_with_arg(needle):
    """PIDs whose command line contains `needle` (our unique user-data-dir)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                if needle.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            pass
    return found


class Browser:
    """One chromedriver + one Chromium session. Use as a context manager."""

    def __init__(self, timeout=15.0, artifacts=None, log=None):
        self.timeout = float(timeout)
        self.artifacts = artifacts
        self.log = log or (lambda msg: print(msg, file=sys.stderr))
        self.driver = None
        self.session = None
        self.profile = None
        self.base = None

    # ------------------------------------------------------------ life cycle

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.quit()
            raise
        return self

    def __exit__(self, *exc):
        self.quit()
        return False

    def start(self):
        driver = find_binary("chromedriver")
        chromium = find_binary("chromium", "chromium-browser")
        self.profile = tempfile.mkdtemp(prefix="saml-sp-chromium-")
        port = free_port()
        self.base = "http://127.0.0.1:%d" % port
        logfile = open(os.path.join(self.profile, "chromedriver.log"), "wb")
        self.driver = subprocess.Popen(
            [driver, "--port=%d" % port, "--allowed-ips=127.0.0.1", "--allowed-origins=*"],
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logfile.close()
        deadline = time.monotonic() + self.timeout
        while True:
            if self.driver.poll() is not None:
                raise WebDriverError("chromedriver exited with %s" % self.driver.returncode)
            try:
                if self._call("GET", "/status", timeout=2).get("ready"):
                    break
            except (OSError, WebDriverError):
                pass
            if time.monotonic() > deadline:
                raise WebDriverError("chromedriver not ready after %.0f s" % self.timeout)
            time.sleep(0.05)
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": {
                        "pageLoad": int(self.timeout * 1000),
                        "script": int(self.timeout * 1000),
                        "implicit": 0,
                    },
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": CHROME_FLAGS + ["--user-data-dir=" + self.profile],
                    },
                }
            }
        }
        value = self._call("POST", "/session", caps, timeout=self.timeout + 30)
        self.session = value["sessionId"]
        self.log(
            "browser: %s %s, chromedriver pid %d on %s"
            % (
                value["capabilities"].get("browserName"),
                value["capabilities"].get("browserVersion"),
                self.driver.pid,
                self.base,
            )
        )

    def quit(self):
        """Ends the session, then kills chromedriver's process group and any
        Chromium process using our profile, by PID."""
        if self.session:
            try:
                self._call("DELETE", "/session/" + self.session, timeout=10)
            except (OSError, WebDriverError) as e:
                self.log("browser: closing the session failed: %s" % e)
            self.session = None
        if self.driver:
            if self.driver.poll() is None:
                try:
                    os.killpg(self.driver.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self.driver.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(self.driver.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    self.driver.wait(timeout=3)
            self.driver = None
        if self.profile:
            for pid in pids_with_arg("--user-data-dir=" + self.profile):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    # ------------------------------------------------------------ protocol

    def _call(self, method, path, body=None, timeout=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout + 10) as resp:
                payload = json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                value = json.loads(e.read()).get("value", {})
                msg = "%s: %s" % (value.get("error"), value.get("message", "").splitlines()[0:1])
            except (ValueError, AttributeError):
                msg = str(e)
            raise WebDriverError("%s %s: %s" % (method, path, msg)) from None
        return payload.get("value", payload)

    def _s(self, method, path, body=None, timeout=None):
        if not self.session:
            raise WebDriverError("no session")
        return self._call(method, "/session/%s%s" % (self.session, path), body, timeout)

    # ------------------------------------------------------------ actions

    def open(self, url):
        self._s("POST", "/url", {"url": url})

    def url(self):
        return self._s("GET", "/url")

    def title(self):
        return self._s("GET", "/title")

    def find(self, css):
        """The first element matching `css` (waits up to the timeout)."""
        deadline = time.monotonic() + self.timeout
        while True:
            found = self._s("POST", "/elements", {"using": "css selector", "value": css})
            if found:
                return found[0][ELEMENT]
            if time.monotonic() > deadline:
                raise WebDriverError("no element matches %r at %s" % (css, self.url()))
            time.sleep(0.1)

    def fill(self, name, value):
        element = self.find("[name=%s]" % json.dumps(name))
        self._s("POST", "/element/%s/clear" % element, {})
        self._s("POST", "/element/%s/value" % element, {"text": value})

    def click(self, css):
        element = self.find(css)
        self._s("POST", "/element/%s/click" % element, {})

    def submit(self):
        self.click("button[type=submit], input[type=submit]")

    def execute(self, script, *args):
        return self._s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def post_form(self, url, fields):
        """POSTs `fields` to `url` through a form built in the current page
        (a top-level navigation, cookies and all, as a real form post)."""
        if self.url() in ("", "about:blank", "data:,"):
            self.open("about:blank")
        self.execute(
            """
            const [url, fields] = arguments;
            const form = document.createElement('form');
            form.method = 'POST';
            form.action = url;
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            setTimeout(() => form.submit(), 0);
            """,
            url,
            fields,
        )

    def text(self):
        """The page's visible text (document.body.innerText)."""
        return self.execute("return document.body ? document.body.innerText : '';") or ""

    def source(self):
        return self._s("GET", "/source")

    def wait(self, what, predicate):
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if predicate():
                    return
            except WebDriverError:
                pass  # e.g. the page is navigating
            if time.monotonic() > deadline:
                raise WebDriverError(
                    "timed out after %.0f s waiting for %s (at %s)"
                    % (self.timeout, what, self._safe_url())
                )
            time.sleep(0.1)

    def wait_url(self, test):
        """Until the current URL contains `test` (a string) or `test(url)` holds."""
        check = test if callable(test) else (lambda u: test in u)
        self.wait("URL %r" % (test,), lambda: check(self.url()))
        return self.url()

    def wait_text(self, needle):
        self.wait("text %r" % needle, lambda: needle in self.text())
        return self.text()

    def screenshot(self, path):
        png = base64.b64decode(self._s("GET", "/screenshot"))
        if not png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise WebDriverError("screenshot is not a PNG")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(png)
        return len(png)

    def _safe_url(self):
        try:
            return self.url()
        except (OSError, WebDriverError):
            return "?"

    def save_failure(self):
        """failure.png and failure.html under the artifacts dir, if any."""
        if not (self.artifacts and self.session):
            return
        try:
            self.screenshot(os.path.join(self.artifacts, "failure.png"))
            with open(os.path.join(self.artifacts, "failure.html"), "w") as f:
                f.write(self.source())
            self.log("browser: failure.png and failure.html saved in %s" % self.artifacts)
        except (OSError, WebDriverError) as e:
            self.log("browser: could not save the failure page: %s" % e)


# ---------------------------------------------------------------- step runner

STEPS = {
    "open": 1,
    "fill": 2,
    "click": 1,
    "submit": 0,
    "post-form": 2,
    "wait-url": 1,
    "wait-text": 1,
    "screenshot": 1,
    "text": 0,
}


def parse_steps(argv):
    steps, i = [], 0
    while i < len(argv):
        name = argv[i]
        if name not in STEPS:
            raise ValueError("unknown step %r (steps: %s)" % (name, ", ".join(STEPS)))
        n = STEPS[name]
        args = argv[i + 1 : i + 1 + n]
        if len(args) != n:
            raise ValueError("step %s takes %d argument(s)" % (name, n))
        if name == "post-form":
            fields = json.loads(args[1])
            if not isinstance(fields, dict):
                raise ValueError("post-form: JSON must be an object")
            args = [args[0], {str(k): str(v) for k, v in fields.items()}]
        steps.append((name, args))
        i += 1 + n
    return steps


def run_step(b, name, args):
    out = {"step": name, "ok": True}
    if name == "open":
        b.open(args[0])
    elif name == "fill":
        b.fill(args[0], args[1])
    elif name == "click":
        b.click(args[0])
    elif name == "submit":
        b.submit()
    elif name == "post-form":
        b.post_form(args[0], args[1])
    elif name == "wait-url":
        out["url"] = b.wait_url(args[0])
    elif name == "wait-text":
        b.wait_text(args[0])
    elif name == "screenshot":
        out["bytes"] = b.screenshot(args[0])
        out["path"] = args[0]
    elif name == "text":
        out["text"] = b.text()
    return out


def run_steps(steps, timeout, artifacts):
    with Browser(timeout=timeout, artifacts=artifacts) as b:
        for name, args in steps:
            try:
                print(json.dumps(run_step(b, name, args)), flush=True)
            except (OSError, WebDriverError) as e:
                print(json.dumps({"step": name, "ok": False, "error": str(e)}), flush=True)
                b.save_failure()
                print(json.dumps({"ok": False, "url": b._safe_url()}), flush=True)
                return 1
        print(json.dumps({"ok": True, "url": b.url(), "title": b.title()}), flush=True)
    return 0


# ---------------------------------------------------------------- self-test

class StubAcs(http.server.ThreadingHTTPServer):
    """Stands in for the SP's ACS: records what the browser POSTs."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), StubAcsHandler)
        self.posts = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def stop(self):
        self.shutdown()
        self.server_close()


class StubAcsHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("ascii", "replace"))
        self.server.posts.append((self.path, form))
        body = (
            "<!doctype html><title>stub ACS</title><h1>stub ACS received a SAMLResponse</h1>"
            "<p>path <code>%s</code>, SAMLResponse %d bytes, RelayState <code>%s</code></p>"
            % (
                html.escape(self.path),
                len(form.get("SAMLResponse", [""])[0]),
                html.escape(form.get("RelayState", [""])[0]),
            )
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def start_ssp(acs_base):
    env = dict(os.environ, SSP_ACS_BASE=acs_base)
    out = subprocess.run(
        [os.path.join(REPO, "testbed/simplesamlphp/start.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        raise WebDriverError("start.sh failed:\n" + out.stderr)
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def self_test(timeout, artifacts):
    """IdP-initiated login at the SimpleSAMLphp testbed in the real browser:
    the login form is filled and submitted, the IdP's auto-submitting form
    POSTs the SAMLResponse to a stub ACS. Also: a wrong password stays on
    the IdP, and post-form delivers a hand-made form."""
    os.makedirs(artifacts, exist_ok=True)
    passed, failed = 0, 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail and not ok else ""),
              file=sys.stderr)

    acs = StubAcs()
    ssp = None
    t0 = time.monotonic()
    try:
        ssp = start_ssp(acs.base)
        sp = "https://sso.example.com/saml/both"
        acs_url = "%s/saml/both/acs" % acs.base
        login_url = "%s?%s" % (
            ssp["SSP_SSO_URL"],
            urllib.parse.urlencode({"spentityid": sp, "RelayState": "/after-login"}),
        )
        timings = {}
        t = time.monotonic()
        with Browser(timeout=timeout, artifacts=artifacts) as b:
            timings["browser_start_s"] = round(time.monotonic() - t, 2)
            profile, driver_pid = b.profile, b.driver.pid
            try:
                t = time.monotonic()
                b.open(login_url)
                b.find("[name=username]")
                check("IdP shows its login form", "loginuserpass" in b.url(), b.url())
                b.screenshot(os.path.join(artifacts, "idp-login.png"))

                # Wrong password: stays on the IdP, nothing posted.
                b.fill("username", "alice")
                b.fill("password", "wrong-password")
                b.submit()
                b.wait_url("loginuserpass")
                b.find("[name=password]")
                check("wrong password stays at the IdP", not acs.posts and "loginuserpass" in b.url())

                b.fill("username", "alice")
                b.fill("password", "alice-password")
                b.submit()
                url = b.wait_url(lambda u: u.startswith(acs_url))
                text = b.wait_text("stub ACS received a SAMLResponse")
                timings["login_s"] = round(time.monotonic() - t, 2)
                check("browser ends on the ACS URL", url == acs_url, url)
                b.screenshot(os.path.join(artifacts, "acs.png"))
                check("page text read", "RelayState /after-login" in text, text)

                check("exactly one POST to the ACS", len(acs.posts) == 1, str(len(acs.posts)))
                path, form = acs.posts[0] if acs.posts else ("", {})
                check("POSTed to /saml/both/acs", path == "/saml/both/acs", path)
                check("RelayState came back", form.get("RelayState") == ["/after-login"], str(form.get("RelayState")))
                xml = base64.b64decode(form.get("SAMLResponse", [""])[0]).decode("utf-8", "replace")
                check("SAMLResponse is a Response", "<samlp:Response" in xml, xml[:80])
                check("Destination is the ACS", 'Destination="%s"' % acs_url in xml)
                check("NameID is alice", ">alice@acme.example</saml:NameID>" in xml)
                check("unsolicited: no InResponseTo", "InResponseTo" not in xml)
                with open(os.path.join(artifacts, "saml-response.xml"), "w") as f:
                    f.write(xml)

                # post-form: a hand-made POST (what the tampered-response test does).
                b.post_form(acs_url, {"SAMLResponse": "dGFtcGVyZWQ=", "RelayState": "x"})
                b.wait_text("SAMLResponse 12 bytes")
                check("post-form delivers the fields", len(acs.posts) == 2 and acs.posts[1][1].get("SAMLResponse") == ["dGFtcGVyZWQ="])
            except (OSError, WebDriverError) as e:
                check("browser flow", False, str(e))
                b.save_failure()
        left = pids_with_arg("--user-data-dir=" + profile)
        check("no Chromium process of ours left", not left, str(left))
        check("chromedriver is gone", not os.path.exists("/proc/%d/cmdline" % driver_pid)
              or b"chromedriver" not in open("/proc/%d/cmdline" % driver_pid, "rb").read())
        check("profile dir removed", not os.path.exists(profile), profile)
    finally:
        acs.stop()
        if ssp:
            subprocess.run(
                [os.path.join(REPO, "testbed/simplesamlphp/stop.sh"), ssp["SSP_RUN_DIR"]],
                capture_output=True,
                timeout=30,
            )
    print(json.dumps({"timings": timings if ssp else {}, "total_s": round(time.monotonic() - t0, 2),
                      "artifacts": artifacts}), file=sys.stderr)
    print("self-test: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


def main(argv):
    timeout, artifacts, selftest = 15.0, os.path.join(REPO, "target", "browser"), False
    rest = []
    i = 0
    try:
        while i < len(argv):
            a = argv[i]
            if a == "--timeout":
                timeout = float(argv[i + 1])
                i += 2
            elif a == "--artifacts":
                artifacts = argv[i + 1]
                i += 2
            elif a == "--self-test":
                selftest = True
                i += 1
            elif a in ("-h", "--help"):
                print(__doc__)
                return 0
            else:
                rest = argv[i:]
                break
        if selftest:
            if rest:
                raise ValueError("--self-test takes no steps")
            return self_test(timeout, artifacts)
        steps = parse_steps(rest)
        if not steps:
            raise ValueError("no steps")
    except (ValueError, IndexError) as e:
        print("usage error: %s (see --help)" % e, file=sys.stderr)
        return 2
    try:
        return run_steps(steps, timeout, artifacts)
    except (OSError, WebDriverError) as e:
        print("webdriver: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
