#!/usr/bin/env python3
"""End to end: examples/web_app against a live IdP, a real browser and a shared Redis.

Everything runs on 127.0.0.1 and is stopped by PID at the end (also on failure):

  redis-server          one, shared by both app instances (request tracking, one-time use,
                        the Single Logout session registry and the app's own sessions)
  SimpleSAMLphp IdP     testbed/simplesamlphp, with SP entries for the app's teams `acme`,
                        `globex` and `initech` (globex allows IdP-initiated sign-in and has
                        only the IdP's HTTP-POST SSO endpoint in its metadata copy; initech
                        requires encrypted assertions and the IdP encrypts them to
                        fixtures/keys/sp-enc; every team has Single Logout over HTTP-Redirect,
                        and the IdP checks acme's and globex's logout signatures)
  web_app A and B       two instances of `cargo run --features redis --example web_app`,
                        one configuration (same base URL, cookie key, Redis and SP keys:
                        fixtures/keys/sp signs, fixtures/keys/sp-enc decrypts): what a load
                        balancer puts behind one host name
  headless Chromium     testbed/browser/webdriver.py

Checks:
  1. browser: A's sign-on URL -> IdP login (alice) -> back on A signed in; the page
     shows alice's email and the team's default role; screenshot target/e2e/signed-in.png
  2. browser: Single Logout, SP-initiated: the sign-out button (its per-session CSRF token)
     -> our signed LogoutRequest -> the IdP (which checks its signature) -> the IdP's
     LogoutResponse to our SLO URL, verified (the log says status=success); the page and
     the cookies say signed out, the old session cookie sent again finds no session (it
     was ended on the server), and the next sign-in asks for the password again
  3. browser: a tampered SAMLResponse posted to the ACS shows "Sign-in failed" and
     sets no session (the page and the cookies say so; the log has digest_mismatch)
  4. two instances: a response accepted by A is refused by B (shared state in Redis)
  5. IdP-initiated sign-in (SimpleSAMLphp's spentityid URL, the browser, as bob: globex's
     user, whom the app does not know as alice's account): signed in to globex at the
     RelayState path and the page says it was IdP-initiated; a foreign
     RelayState (https://evil.example/) lands on globex's landing page; the same kind of
     Response for acme (which does not allow it) is refused (403, unsolicited_response),
     as is one for globex while the browser has a globex sign-in outstanding; a replayed
     IdP-initiated Response is refused (assertion_replayed); the session ends at the
     IdP's SessionNotOnOrAfter
  6. HTTP-POST binding: globex's SP-initiated sign-in is a page whose script runs under a
     CSP nonce and posts to the IdP's origin only; the browser signs in through it
  7. browser: Single Logout, IdP-initiated: a logout started at the IdP reaches our SLO
     URL, the app session ends (the log, the page and the cookies say so), the IdP takes
     our signed LogoutResponse and ends at its ReturnTo, and its session is over (the next
     sign-in asks for the password); that next sign-in is carol's to initech, whose
     assertion comes encrypted (the page and the log say so)
  8. two instances and Single Logout (scripted client; the IdP's redirects to our SLO URL
     are captured and delivered to B): a sign-out without the session's CSRF token, or
     with another, is refused (403, csrf_token_mismatch) and ends nothing; a sign-out
     started on A finishes on B (shared request tracking); an IdP-initiated logout
     delivered to B ends the session created on A (shared registry and sessions); the
     same LogoutRequest again is refused (logout_request_replayed) and ends nothing;
     forged LogoutRequests for alice (query-signed with another key, unsigned over
     HTTP-Redirect, unsigned over HTTP-POST) are refused with signature_invalid /
     signature_missing in the log and end nothing
  9. encrypted assertions: the SP metadata publishes the encryption and signing
     certificates and both SLO bindings; a plaintext Response for initech (the IdP's
     signed acme assertion, its unsigned Response pointed at initech's ACS and request)
     is refused (403, assertion_not_encrypted) and sets no session
 10. Redis stopped: sign-in fails closed (HTTP 503, request_store_unavailable), and so
     does a signed-in browser's page (503, session_store_unavailable: never shown as
     signed in or out); Redis back on the same port: sign-in works again

Usage: testbed/e2e/web_app_e2e.py [--skip-build]  (after the testbeds' install.sh)
Prints "web_app e2e: N passed, 0 failed"; exit status 1 if any check failed.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed", "browser"))
sys.path.insert(0, os.path.join(ROOT, "testbed", "simplesamlphp"))

import login  # noqa: E402  (testbed/simplesamlphp/login.py: scripted HTTP client)
import webdriver  # noqa: E402  (testbed/browser/webdriver.py: headless Chromium)

ARTIFACTS = os.path.join(ROOT, "target", "e2e")
KEYS = os.path.join(ROOT, "fixtures", "keys")
TEAM = "acme"
ENC_TEAM = "initech"  # requires encrypted assertions
CAROL = "carol"  # initech's user at the IdP (carol@initech.example)
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
IDP_TEAM = "globex"  # allows IdP-initiated sign-in
IDP_TEAM_LANDING = "/?team=globex"
BOB = "bob"  # globex's user at the IdP (bob@globex.example); alice is acme's
COOKIE_KEY = "5a" * 64  # test-only key (64 bytes: the cookie crate's Key)
results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok)))
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail and not ok else ""),
          flush=True)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=15.0, proc=None):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("process exited with %s before listening on %d" % (proc.returncode, port))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing listens on 127.0.0.1:%d after %.0f s" % (port, timeout))


def stop(proc, name):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    print("stopped %s (pid %d)" % (name, proc.pid), flush=True)


class Redis:
    def __init__(self, workdir):
        self.port = free_port()
        self.dir = os.path.join(workdir, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=open(os.path.join(self.dir, "redis.log"), "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_port(self.port, 10, self.proc)

    def stop(self):
        stop(self.proc, "redis-server")


class WebApp:
    def __init__(self, name, binary, config_path, port, workdir):
        self.name, self.port = name, port
        self.log_path = os.path.join(workdir, "web_app-%s.log" % name)
        self.proc = subprocess.Popen(
            [binary, config_path], cwd=ROOT, stdout=open(self.log_path, "ab"),
            stderr=subprocess.STDOUT, start_new_session=True)
        wait_port(port, 15, self.proc)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        stop(self.proc, "web_app " + self.name)


def start_ssp(acs_base):
    env = dict(os.environ, SSP_ACS_BASE=acs_base)
    out = subprocess.run([os.path.join(ROOT, "testbed", "simplesamlphp", "start.sh")], env=env,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError("start.sh failed:\n" + out.stderr)
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def page_text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def flow(base, b=None):
    """Scripted sign-in from the app's init URL to the IdP's SAMLResponse form."""
    b = b or login.Browser(timeout=10)
    got = login.run_flow(b, "%s/saml/%s/init?return_to=/" % (base, TEAM))
    return b, got


def idp_sign_in(br, url, user="alice"):
    """Opens `url`; logs `user` in if the IdP asks (it does not while its session lasts);
    waits until the app's page says signed in or failed; returns the page text."""
    def login_form():
        return br._s("POST", "/elements", {"using": "css selector", "value": "input[name=username]"})

    def app_page():
        text = br.text()
        return "Signed in as" in text or "Sign-in failed" in text

    br.open(url)
    br.wait("the IdP's login form or the app's page", lambda: app_page() or login_form())
    if not app_page() and login_form():
        br.fill("username", user)
        br.fill("password", user + "-password")
        br.submit()
        br.wait("the app's page", app_page)
    return br.text()


def idp_initiated_url(ssp, sp_entity_id, relay_state):
    return "%s?%s" % (ssp["SSP_SSO_URL"], urllib.parse.urlencode(
        {"spentityid": sp_entity_id, "RelayState": relay_state}))


def csrf_of(body):
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', body)
    return m.group(1) if m else None


def on_port(url, port):
    """`url` with its port replaced: the same request through the other instance."""
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc="%s:%d" % (parts.hostname, port)).geturl()


def capture(client, url, data=None):
    """Requests `url` with client (a login.Browser whose stop_at is the app's /saml/
    prefix); returns the redirect to our SLO URL it was stopped at, or None."""
    try:
        client.request(url, data)
    except login.LeftForSp as left:
        return left.url
    return None


def sign_in_scripted(client, base, team=TEAM, user="alice"):
    got = login.run_flow(client, "%s/saml/%s/init?return_to=/" % (base, team), user=user,
                         password=user + "-password")
    _u, status, body = client.request(got["acs_url"], {"SAMLResponse": got["saml_response"],
                                                       "RelayState": got["relay_state"] or "/"})
    return got, status, body


def forged_logout_request(ssp, slo_url, name_id):
    """A LogoutRequest for name_id (no SessionIndex: every session of the person) as
    the IdP would send it, but not signed by the IdP."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="%s" Version="2.0" '
        'IssueInstant="%s" Destination="%s"><saml:Issuer>%s</saml:Issuer>'
        '<saml:NameID Format="%s">%s</saml:NameID></samlp:LogoutRequest>'
    ) % (login.new_request_id(), now, slo_url, ssp["SSP_IDP_ENTITY_ID"], EMAIL_FORMAT, name_id)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    os.makedirs(ARTIFACTS, exist_ok=True)
    if not args.skip_build:
        subprocess.run(["cargo", "build", "-q", "--features", "redis", "--example", "web_app"],
                       cwd=ROOT, check=True, timeout=900)
    binary = os.path.join(ROOT, "target", "debug", "examples", "web_app")
    workdir = tempfile.mkdtemp(prefix="web_app_e2e.")
    redis = Redis(workdir)
    apps, ssp, started = [], None, time.time()
    try:
        redis.start()
        port_a, port_b = free_port(), free_port()
        base = "http://127.0.0.1:%d" % port_a  # the one public base URL (instance A's)
        ssp = start_ssp(base)
        metadata = os.path.join(workdir, "idp-metadata.xml")
        b = login.Browser(timeout=10)
        _url, status, body = b.request(ssp["SSP_METADATA_URL"])
        if status != 200:
            raise RuntimeError("IdP metadata: HTTP %s" % status)
        with open(metadata, "w", encoding="utf-8") as f:
            f.write(body)
        # globex's copy keeps only the HTTP-POST SSO endpoint: its sign-ins take the
        # HTTP-POST binding (the form page), acme's HTTP-Redirect.
        post_only = re.sub(r'<md:SingleSignOnService Binding="[^"]*HTTP-Redirect"[^>]*/>', "", body)
        if post_only == body or "HTTP-POST" not in post_only:
            raise RuntimeError("IdP metadata: no HTTP-Redirect and HTTP-POST SSO endpoints to split")
        metadata_post = os.path.join(workdir, "idp-metadata-post.xml")
        with open(metadata_post, "w", encoding="utf-8") as f:
            f.write(post_only)
        config = {
            "base_url": base,
            "cookie_key_hex": COOKIE_KEY,
            "store": {"kind": "redis", "url": "redis://127.0.0.1:%d" % redis.port, "namespace": "e2e"},
            "sp_signing_key_file": os.path.join(KEYS, "sp.key.pem"),
            "sp_signing_cert_file": os.path.join(KEYS, "sp.crt.pem"),
            "sp_decryption_key_file": os.path.join(KEYS, "sp-enc.key.pem"),
            "sp_decryption_cert_file": os.path.join(KEYS, "sp-enc.crt.pem"),
            "teams": [{"slug": TEAM, "idp_metadata_file": metadata, "default_role": "member",
                       "allowed_email_domains": ["acme.example"]},
                      {"slug": IDP_TEAM, "idp_metadata_file": metadata_post, "default_role": "member",
                       "allowed_email_domains": ["globex.example"], "allow_idp_initiated": True,
                       "landing_page": IDP_TEAM_LANDING},
                      {"slug": ENC_TEAM, "idp_metadata_file": metadata, "default_role": "member",
                       "allowed_email_domains": ["initech.example"],
                       "require_encrypted_assertion": True}],
        }
        paths = []
        for name, port in (("a", port_a), ("b", port_b)):
            path = os.path.join(workdir, "config-%s.json" % name)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(dict(config, listen="127.0.0.1:%d" % port), f)
            paths.append(path)
        apps.append(WebApp("A", binary, paths[0], port_a, workdir))
        apps.append(WebApp("B", binary, paths[1], port_b, workdir))
        app_a, app_b = apps
        print("started redis, IdP and two web_app instances in %.1f s" % (time.time() - started),
              flush=True)

        # 1. A real browser signs in through the IdP.
        with webdriver.Browser(timeout=20, artifacts=ARTIFACTS) as br:
            br.open("%s/saml/%s/init?return_to=/" % (base, TEAM))
            br.wait(lambda: "login form", lambda: br.find("input[name=username]") is not None)
            br.fill("username", "alice")
            br.fill("password", "alice-password")
            br.submit()
            br.wait_text("Signed in as")
            text = br.text()
            shot = os.path.join(ARTIFACTS, "signed-in.png")
            br.screenshot(shot)
            check("browser: back on the app at /", br.url().rstrip("/") == base, br.url())
            check("browser: page shows alice's email", "alice@acme.example" in text, text)
            check("browser: page shows the team's default role", "with role member" in text, text)
            check("browser: first login creates the account (verification pending)",
                  "Email verification pending" in text, text)
            check("browser: screenshot saved", os.path.getsize(shot) > 1000, shot)
            cookies = br._s("GET", "/cookie")
            session = [c for c in cookies if c["name"] == "session"]
            check("browser: session cookie is HttpOnly, SameSite=Lax",
                  session and session[0].get("httpOnly") and session[0].get("sameSite") == "Lax",
                  json.dumps(cookies))

            # 2. Single Logout, SP-initiated, in the browser.
            old_session = session[0]["value"] if session else ""
            before = len(app_a.log())
            br.click("#sign-out")
            br.wait_text("Not signed in")
            text = br.text()
            log = app_a.log()[before:]
            check("sign-out: back on the app, signed out at the app and the IdP",
                  br.url() == base + "/?signed_out=done" and "You are signed out" in text,
                  "%s %s" % (br.url(), text[:300]))
            check("sign-out: our LogoutRequest went to the IdP, its LogoutResponse verified",
                  "logout team=acme unregistered=true" in log and "logout team=acme request_id=" in log
                  and "slo team=acme logout_response status=success" in log, log)
            cookies = br._s("GET", "/cookie")
            check("sign-out: no session cookie left",
                  not [c for c in cookies if c["name"] == "session" and c["value"]], json.dumps(cookies))
            req = urllib.request.Request(base + "/", headers={"Cookie": "session=" + old_session})
            with urllib.request.urlopen(req, timeout=10) as r:
                again = r.read().decode()
            check("sign-out: the old session cookie finds no session (ended on the server)",
                  old_session and "Not signed in" in again and "Signed in as" not in again,
                  page_text(again)[:200])
            br.open("%s/saml/%s/init?return_to=/" % (base, TEAM))
            br.wait("the IdP's login form", lambda: br.find("input[name=username]") is not None)
            check("sign-out: the IdP session is over (the next sign-in asks for the password)",
                  br.find("input[name=password]") is not None, br.url())

            # 3. A tampered response: the error page, no session. A scripted
            # client starts the sign-in; the browser takes over its cookie (so
            # the request ID is this browser's) and posts the tampered response.
            br._s("DELETE", "/cookie")  # the app's and the IdP's cookies (both on 127.0.0.1)
            client_t, got = flow(base)
            browser_cookie = [c.value for c in client_t.jar if c.name == "browser"]
            check("tamper: the app set a browser cookie", browser_cookie)
            br._s("POST", "/cookie", {"cookie": {"name": "browser", "value": browser_cookie[0],
                                                 "path": "/", "httpOnly": True}})
            xml = base64.b64decode(got["saml_response"]).decode()
            tampered = xml.replace("alice@acme.example", "mallory@acme.example")
            check("tamper: the response carries alice's email", tampered != xml)
            br.post_form("%s/saml/%s/acs" % (base, TEAM),
                         {"SAMLResponse": base64.b64encode(tampered.encode()).decode(),
                          "RelayState": "/"})
            br.wait_text("Sign-in failed")
            text = br.text()
            br.screenshot(os.path.join(ARTIFACTS, "tampered.png"))
            check("tamper: the browser shows the error page", "Sign-in failed" in text, text)
            check("tamper: the page does not echo the error detail", "digest" not in text.lower(), text)
            cookies = br._s("GET", "/cookie")
            check("tamper: no session cookie", not [c for c in cookies if c["name"] == "session"],
                  json.dumps(cookies))
            check("tamper: the log has the precise kind (digest_mismatch)",
                  "acs team=acme error=digest_mismatch" in app_a.log(), app_a.log()[-2000:])

        # 4. Two instances: accepted by A, refused by B.
        client, got = flow(base)
        form = {"SAMLResponse": got["saml_response"], "RelayState": got["relay_state"] or "/"}
        url, status, body = client.request("%s/saml/%s/acs" % (base, TEAM), form)
        check("two instances: A accepts the response", status == 200 and "Signed in as" in body,
              "%s %s %s" % (status, url, page_text(body)[:300]))
        before_b = len(app_b.log())
        url, status, body = client.request("http://127.0.0.1:%d/saml/%s/acs" % (port_b, TEAM), form)
        log_b = app_b.log()[before_b:]
        check("two instances: B refuses the same response", status == 403 and "Sign-in failed" in body,
              "%s %s" % (status, page_text(body)[:300]))
        check("two instances: B logged why", "acs team=acme error=" in log_b, log_b)

        # B accepts a sign-in A started: the request ID is in the shared Redis.
        client2 = login.Browser(timeout=10)
        _c, got = flow(base, client2)
        url, status, body = client2.request("http://127.0.0.1:%d/saml/%s/acs" % (port_b, TEAM),
                                            {"SAMLResponse": got["saml_response"], "RelayState": "/"})
        check("two instances: B accepts a sign-in A started (shared request tracking)",
              "Signed in as" in body, "%s %s" % (status, page_text(body)[:300]))

        # Open redirects, unknown teams, SP metadata.
        plain = login.Browser(timeout=10)
        for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            _u, status, body = plain.request("%s/saml/%s/init?%s" % (
                base, TEAM, urllib.parse.urlencode({"return_to": bad})))
            check("no open redirect: return_to %r refused (400)" % bad, status == 400, str(status))
        c4, got = flow(base)
        url, status, body = c4.request("%s/saml/%s/acs" % (base, TEAM),
                                       {"SAMLResponse": got["saml_response"],
                                        "RelayState": "https://evil.example/"})
        check("no open redirect: a foreign RelayState lands on /", url == base + "/" and
              "Signed in as" in body, url)
        _u, status, body = plain.request("%s/saml/nosuchteam/init" % base)
        check("unknown team: 404", status == 404, str(status))
        _u, status, body = plain.request("%s/saml/%s/metadata" % (base, TEAM))
        check("SP metadata served with the team's entity ID and ACS",
              status == 200 and 'entityID="%s/saml/%s"' % (base, TEAM) in body
              and 'Location="%s/saml/%s/acs"' % (base, TEAM) in body, body[:400])
        check("SP metadata: the SLO URL for HTTP-Redirect and HTTP-POST",
              all('<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:%s" '
                  'Location="%s/saml/%s/slo"/>' % (b, base, TEAM) in body
                  for b in ("HTTP-Redirect", "HTTP-POST")), body)
        check("SP metadata: the signing and the encryption certificate (KeyDescriptors)",
              '<md:KeyDescriptor use="signing">' in body and '<md:KeyDescriptor use="encryption">' in body
              and 'AuthnRequestsSigned="true"' in body, body)

        # 5. IdP-initiated sign-in, in the browser.
        globex_sp = "%s/saml/%s" % (base, IDP_TEAM)
        acme_sp = "%s/saml/%s" % (base, TEAM)
        with webdriver.Browser(timeout=20, artifacts=ARTIFACTS) as br:
            text = idp_sign_in(br, idp_initiated_url(ssp, globex_sp, "/?from=idp"), BOB)
            br.screenshot(os.path.join(ARTIFACTS, "idp-initiated.png"))
            check("idp-initiated: signed in to globex", "Signed in as bob@globex.example" in text
                  and "in team globex" in text, text)
            check("idp-initiated: the page says the sign-in was IdP-initiated",
                  "IdP-initiated sign-in" in text, text)
            check("idp-initiated: a local RelayState is the landing URL",
                  br.url() == base + "/?from=idp", br.url())
            check("idp-initiated: the log says idp_initiated=true",
                  "acs team=globex" in app_a.log() and "idp_initiated=true" in app_a.log(),
                  app_a.log()[-1500:])
            # The IdP's session lasts: this time it posts at once.
            text = idp_sign_in(br, idp_initiated_url(ssp, globex_sp, "https://evil.example/"), BOB)
            check("idp-initiated: RelayState https://evil.example/ lands on the team's landing page",
                  br.url() == base + IDP_TEAM_LANDING and "Signed in as" in text,
                  "%s %s" % (br.url(), text[:200]))
            check("idp-initiated: never on evil.example", "evil.example" not in br.url(), br.url())

            # 6. HTTP-POST binding: the form page (CSP nonce) in the same browser.
            text = idp_sign_in(br, "%s/saml/%s/init?return_to=/?via=post" % (base, IDP_TEAM), BOB)
            check("http-post: SP-initiated sign-in to globex through the form page",
                  br.url() == base + "/?via=post" and "Signed in as" in text
                  and "IdP-initiated" not in text, "%s %s" % (br.url(), text[:300]))
        with urllib.request.urlopen("%s/saml/%s/init" % (base, IDP_TEAM), timeout=10) as r:
            csp, page = r.headers.get("Content-Security-Policy", ""), r.read().decode()
        nonce = re.search(r"script-src 'nonce-([A-Za-z0-9+/=]+)'", csp)
        check("http-post: the form page's script runs under its CSP nonce only",
              nonce and '<script nonce="%s">' % nonce.group(1) in page
              and "default-src 'none'" in csp, csp)
        check("http-post: the form may post only to the IdP's origin",
              ("form-action %s;" % ssp["SSP_BASE_URL"]) in csp + ";"
              and 'action="%s"' % ssp["SSP_SSO_URL"] in page, csp)

        # IdP-initiated for acme, which does not allow it: refused.
        client = login.Browser(timeout=10)
        got = login.run_flow(client, idp_initiated_url(ssp, acme_sp, "/"))
        before = len(app_a.log())
        url, status, body = client.request(got["acs_url"], {"SAMLResponse": got["saml_response"],
                                                            "RelayState": got["relay_state"] or "/"})
        log = app_a.log()[before:]
        check("idp-initiated: posted to acme's ACS", got["acs_url"] == acme_sp + "/acs", got["acs_url"])
        check("idp-initiated: refused for a team that does not allow it (403)",
              status == 403 and "Sign-in failed" in body and "Signed in as" not in body,
              "%s %s" % (status, page_text(body)[:300]))
        check("idp-initiated: the log says unsolicited_response",
              "acs team=acme error=unsolicited_response" in log, log)
        check("idp-initiated: no session for acme",
              not [c for c in client.jar if c.name == "session"], str(list(client.jar)))

        # globex, while this browser has a globex sign-in outstanding: refused; then a
        # fresh browser takes the same Response once, and never twice.
        client = login.Browser(timeout=10)
        client.request("%s/saml/%s/init" % (base, IDP_TEAM))  # remembers a request; form page
        got = login.run_flow(client, idp_initiated_url(ssp, globex_sp, "/"), user=BOB,
                             password=BOB + "-password")
        form = {"SAMLResponse": got["saml_response"], "RelayState": got["relay_state"] or "/"}
        before = len(app_a.log())
        _u, status, body = client.request(got["acs_url"], form)
        log = app_a.log()[before:]
        check("idp-initiated: refused while the browser has a sign-in outstanding (403)",
              status == 403 and "acs team=globex error=unsolicited_response" in log,
              "%s %s" % (status, log))
        fresh = login.Browser(timeout=10)
        _u, status, body = fresh.request(got["acs_url"], form)
        check("idp-initiated: the Response taken once by a browser with nothing outstanding",
              status == 200 and "IdP-initiated sign-in" in body, "%s %s" % (status, page_text(body)[:300]))
        # The app's session (8 h at most) ends no later than the IdP's session: SimpleSAMLphp
        # sends SessionNotOnOrAfter = its now + 8 h, a little before the app's own limit.
        idp_end = re.search(r'SessionNotOnOrAfter="([^"]+)"',
                            base64.b64decode(got["saml_response"]).decode())
        ends = re.search(r'id="expires">([^<]+)<', body)
        check("session: ends at the IdP's SessionNotOnOrAfter",
              idp_end and ends and ends.group(1) == time.strftime(
                  "%Y-%m-%d %H:%M:%S UTC", time.strptime(idp_end.group(1), "%Y-%m-%dT%H:%M:%SZ")),
              "%s vs %s" % (idp_end and idp_end.group(1), ends and ends.group(1)))
        before = len(app_b.log())
        _u, status, body = login.Browser(timeout=10).request(
            "http://127.0.0.1:%d/saml/%s/acs" % (port_b, IDP_TEAM), form)
        log = app_b.log()[before:]
        check("idp-initiated: the same Response again refused (403, assertion_replayed)",
              status == 403 and "acs team=globex error=assertion_replayed" in log,
              "%s %s" % (status, log))

        # 7. Single Logout, IdP-initiated, in the browser; then an encrypted sign-in.
        # The IdP's own "You have been logged out" page (a page the browser shows; the
        # metadata would be a download, which a browser does not navigate to).
        return_to = ssp["SSP_BASE_URL"] + "/logout.php"
        idp_logout_url = "%s/saml2/idp/SingleLogoutService.php?%s" % (
            ssp["SSP_BASE_URL"], urllib.parse.urlencode({"ReturnTo": return_to}))
        with webdriver.Browser(timeout=20, artifacts=ARTIFACTS) as br:
            text = idp_sign_in(br, "%s/saml/%s/init?return_to=/" % (base, TEAM))
            check("idp logout: signed in to acme first", "Signed in as alice@acme.example" in text, text)
            before = len(app_a.log())
            br.open(idp_logout_url)
            br.wait_url(lambda u: u.startswith(return_to))
            log = app_a.log()[before:]
            check("idp logout: the IdP's LogoutRequest reached our SLO URL and ended the session",
                  re.search(r"slo team=acme logout_request request_id=\S+ ended_sessions=1 destroyed=1 "
                            r"this_browser=true", log), log)
            check("idp logout: the IdP took our LogoutResponse and went on to its ReturnTo",
                  br.url().startswith(return_to), br.url())
            cookies = br._s("GET", "/cookie")
            check("idp logout: the session cookie is cleared",
                  not [c for c in cookies if c["name"] == "session" and c["value"]], json.dumps(cookies))
            br.open(base + "/")
            check("idp logout: the app says not signed in", "Not signed in" in br.text(), br.text())
            # The next sign-in (carol, to initech) must ask for the password.
            br.open("%s/saml/%s/init?return_to=/" % (base, ENC_TEAM))
            br.wait("the IdP's login form or the app's page",
                    lambda: br.find("input[name=username]") is not None or "Signed in as" in br.text())
            check("idp logout: the IdP session is over (the next sign-in asks for the password)",
                  br.find("input[name=password]") is not None, br.url())
            before = len(app_a.log())
            text = idp_sign_in(br, "%s/saml/%s/init?return_to=/" % (base, ENC_TEAM), CAROL)
            br.screenshot(os.path.join(ARTIFACTS, "encrypted.png"))
            log = app_a.log()[before:]
            check("encrypted: carol signed in to initech", "Signed in as carol@initech.example" in text
                  and "in team initech" in text, text)
            check("encrypted: the page says the assertion came encrypted",
                  "sent the assertion encrypted" in text, text)
            check("encrypted: the log says encrypted=true",
                  re.search(r"acs team=initech assertion=\S+ idp_initiated=false encrypted=true", log), log)

        # 8. Two instances and Single Logout, with a scripted client whose redirects to
        # our SLO URL are captured (and delivered to B).
        slo_a = "%s/saml/%s/slo" % (base, TEAM)
        client = login.Browser(timeout=10, stop_at=base + "/saml/")
        got, status, body = sign_in_scripted(client, base)
        check("slo x2: alice signed in on A", "Signed in as alice@acme.example" in page_text(body), page_text(body)[:200])
        token = csrf_of(body)
        before = len(app_a.log())
        for name, form in (("no token", {}), ("another token", {"csrf": "0" * 32})):
            try:
                _u, status, body = client.request(base + "/logout", form)
            except login.LeftForSp as left:  # signed out after all: the check fails
                status, body = 0, left.url
            check("csrf: a sign-out with %s is refused (403)" % name,
                  status == 403 and "Sign-out failed" in body, "%s %s" % (status, page_text(body)[:200]))
        log = app_a.log()[before:]
        check("csrf: the log says csrf_token_mismatch",
              log.count("logout team=acme error=csrf_token_mismatch") == 2, log)
        _u, status, body = client.request(base + "/")
        check("csrf: the refused sign-outs ended nothing", "Signed in as alice@acme.example" in page_text(body),
              page_text(body)[:200])
        back = capture(client, base + "/logout", {"csrf": token})
        check("slo x2: the IdP sends its LogoutResponse to our SLO URL",
              back and back.startswith(slo_a + "?SAMLResponse="), str(back))
        before = len(app_b.log())
        url, status, body = client.request(on_port(back, port_b)) if back else ("", 0, "")
        log = app_b.log()[before:]
        # B's redirect is relative ("/?signed_out=done"): behind a load balancer, one host.
        check("slo x2: a sign-out started on A finishes on B",
              "slo team=acme logout_response status=success" in log
              and url.endswith("/?signed_out=done") and "You are signed out" in body,
              "%s %s %s" % (url, log, page_text(body)[:200]))

        got, status, body = sign_in_scripted(client, base)
        check("slo x2: signed in on A again, and the IdP asked for the password",
              "Signed in as alice@acme.example" in page_text(body) and got["password_asked"],
              "%s %s" % (got["password_asked"], page_text(body)[:200]))
        to_us = capture(client, idp_logout_url)
        check("slo x2: the IdP-initiated logout sends a LogoutRequest to our SLO URL",
              to_us and to_us.startswith(slo_a + "?SAMLRequest="), str(to_us))
        before = len(app_b.log())
        url, status, body = client.request(on_port(to_us, port_b)) if to_us else ("", 0, "")
        log = app_b.log()[before:]
        check("slo x2: B handles it, ends the session and the IdP takes B's LogoutResponse",
              "slo team=acme logout_request" in log and "ended_sessions=1 destroyed=1" in log
              and url.startswith(return_to), "%s %s" % (url, log))
        _u, status, body = client.request(base + "/")
        check("slo x2: the session created on A is gone on A", "Not signed in" in body,
              page_text(body)[:200])

        got, status, body = sign_in_scripted(client, base)
        check("slo replay: alice signed in again", "Signed in as alice@acme.example" in page_text(body),
              page_text(body)[:200])
        before = len(app_a.log())
        _u, status, body = client.request(to_us) if to_us else ("", 0, "")
        log = app_a.log()[before:]
        check("slo replay: the same LogoutRequest again is refused (403, logout_request_replayed)",
              status == 403 and "Sign-out failed" in body
              and "slo team=acme error=logout_request_replayed" in log, "%s %s" % (status, log))

        forged = forged_logout_request(ssp, slo_a, "alice@acme.example")
        attempts = (
            ("query-signed with another key", "signature_invalid",
             lambda: client.request(login.redirect_url(slo_a, forged, "/",
                                                       sign_key=os.path.join(KEYS, "attacker.key.pem")))),
            ("unsigned over HTTP-Redirect", "signature_missing",
             lambda: client.request(login.redirect_url(slo_a, forged, "/"))),
            ("unsigned over HTTP-POST", "signature_missing",
             lambda: client.request(slo_a, {"SAMLRequest": base64.b64encode(forged.encode()).decode(),
                                            "RelayState": "/"})),
        )
        for name, kind, send in attempts:
            before = len(app_a.log())
            _u, status, body = send()
            log = app_a.log()[before:]
            check("slo forged: a LogoutRequest %s is refused (403, %s)" % (name, kind),
                  status == 403 and "slo team=acme error=%s " % kind in log, "%s %s" % (status, log))
        _u, status, body = client.request(base + "/")
        check("slo forged/replayed: alice's session survived every refused LogoutRequest",
              "Signed in as alice@acme.example" in page_text(body), page_text(body)[:200])
        signed_in_client = client

        # 9. A plaintext Response for initech, which requires encryption: the IdP's signed
        # acme assertion, its (unsigned) Response pointed at initech's ACS and request.
        c5 = login.Browser(timeout=10)
        got_enc = login.run_flow(c5, "%s/saml/%s/init?return_to=/" % (base, ENC_TEAM), user=CAROL,
                                 password=CAROL + "-password")
        enc_xml = base64.b64decode(got_enc["saml_response"]).decode()
        enc_request = re.search(r'InResponseTo="([^"]+)"', enc_xml)
        check("encrypted: the IdP's Response for initech carries an EncryptedAssertion only",
              "EncryptedAssertion" in enc_xml and "<saml:Assertion" not in enc_xml and enc_request,
              enc_xml[:300])
        got_plain = login.run_flow(c5, "%s/saml/%s/init?return_to=/" % (base, TEAM))
        plain = base64.b64decode(got_plain["saml_response"]).decode()
        root = re.search(r"<samlp:Response [^>]*>", plain).group(0)
        pointed = re.sub(r'InResponseTo="[^"]+"', 'InResponseTo="%s"' % enc_request.group(1),
                         re.sub(r'Destination="[^"]+"',
                                'Destination="%s/saml/%s/acs"' % (base, ENC_TEAM), root))
        plain = plain.replace(root, pointed, 1)
        before = len(app_a.log())
        _u, status, body = c5.request("%s/saml/%s/acs" % (base, ENC_TEAM),
                                      {"SAMLResponse": base64.b64encode(plain.encode()).decode(),
                                       "RelayState": "/"})
        log = app_a.log()[before:]
        check("encrypted: a plaintext Response for initech is refused (403, assertion_not_encrypted)",
              status == 403 and "acs team=initech error=assertion_not_encrypted" in log,
              "%s %s" % (status, log))
        check("encrypted: no session for the plaintext Response",
              not [c for c in c5.jar if c.name == "session"], str(list(c5.jar)))

        # 10. Redis stopped: fail closed; back: works again.
        redis.stop()
        t0 = time.time()
        url, status, body = login.Browser(timeout=10).request("%s/saml/%s/init" % (base, TEAM))
        took = time.time() - t0
        check("redis down: sign-on fails closed (503)", status == 503 and "Sign-in failed" in body,
              "%s %s" % (status, page_text(body)[:200]))
        check("redis down: fails within 5 s", took < 5, "%.1f s" % took)
        check("redis down: the log says request_store_unavailable",
              "error=request_store_unavailable" in app_a.log(), app_a.log()[-1500:])
        before = len(app_a.log())
        _u, status, body = signed_in_client.request(base + "/")
        log = app_a.log()[before:]
        check("redis down: a signed-in browser's page fails closed (503, session_store_unavailable)",
              status == 503 and "Signed in as" not in body and "Not signed in" not in body
              and "error=session_store_unavailable" in log, "%s %s" % (status, log))
        redis.start()
        deadline, body = time.time() + 10, ""
        while time.time() < deadline:
            try:
                c3, got = flow(base)
                _u, status, body = c3.request("%s/saml/%s/acs" % (base, TEAM),
                                              {"SAMLResponse": got["saml_response"], "RelayState": "/"})
                if "Signed in as" in body:
                    break
            except login.LoginError:
                pass
            time.sleep(0.5)
        check("redis back: sign-in works again", "Signed in as" in body, page_text(body)[:300])
    except Exception as e:  # noqa: BLE001 - report, then clean up
        check("e2e ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        for app in apps:
            app.stop()
        if ssp:
            subprocess.run([os.path.join(ROOT, "testbed", "simplesamlphp", "stop.sh"), ssp["SSP_RUN_DIR"]],
                           timeout=30)
        redis.stop()
        for app in apps:
            shutil.copy(app.log_path, ARTIFACTS)
        shutil.rmtree(workdir, ignore_errors=True)
    failed = sum(1 for _n, ok in results if not ok)
    print("web_app e2e: %d passed, %d failed (%.1f s)" % (len(results) - failed, failed,
                                                         time.time() - started))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
