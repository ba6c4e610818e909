#!/usr/bin/env python3
"""Scripted browser for the SimpleSAMLphp test IdP (python3 standard library only).

Logs the test user in and captures the SAMLResponse the IdP would POST to the SP's
ACS URL, without posting it anywhere: the IdP's answer is an auto-submitting HTML
form, and this script reads SAMLResponse and RelayState out of it.

  login.py --redirect 'http://127.0.0.1:PORT/saml2/idp/SSOService.php?SAMLRequest=...'
  login.py --post http://127.0.0.1:PORT/saml2/idp/SSOService.php --saml-request B64 [--relay-state RS]
  login.py --idp-initiated https://sso.example.com/saml/both --base-url http://127.0.0.1:PORT
  login.py --self-test [--base-url http://127.0.0.1:PORT]   (default: $SSP_BASE_URL)
  login.py --slo URL --cookie-jar FILE          (Single Logout: see below)
  login.py --idp-logout --cookie-jar FILE [--base-url ...]

Single Logout. --cookie-jar FILE keeps the browser's cookies (the IdP session) in FILE
across runs: log in with it, then --slo URL sends a logout message (our LogoutRequest,
or our LogoutResponse to the IdP's) with those cookies and follows the IdP's redirects
until one leaves for an SP URL under --acs-base, which is not requested but printed:
  {"redirect": <the URL, e.g. our SLO URL with SAMLResponse=...>}
or, when the IdP ends on a page of its own: {"final_url": ..., "status": ...}.
--idp-logout starts a logout at the IdP itself (saml2/idp/SingleLogoutService.php with
ReturnTo its base URL), as a user signing out there would; the redirect printed then
carries the IdP's LogoutRequest to our SLO URL.
The login modes add "password_asked": whether the IdP asked for the password (false when
an IdP session from the cookie jar signed the user in).

stdout (the three login modes): one JSON object
  {"acs_url": ..., "saml_response": <base64 as posted>, "relay_state": <str or null>}
exit 0 on a captured SAMLResponse; 1 when the IdP shows an error page or anything else
goes wrong (message on stderr); 2 on bad usage.

Only loopback URLs are ever requested (127.0.0.1, ::1, localhost); every request has a
timeout (--timeout, default 10 s) and a flow has at most 10 steps.
"""

import argparse
import base64
import html.parser
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
import zlib

USER = "alice"
PASSWORD = "alice-password"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
MAX_STEPS = 10

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "fixtures", "keys")


class LoginError(Exception):
    pass


# --------------------------------------------------------------------------- HTTP client

def check_loopback(url):
    host = urllib.parse.urlsplit(url).hostname
    if host not in LOOPBACK:
        raise LoginError("refusing to request a non-loopback URL: %s" % url)


class LoopbackRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_loopback(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Forms(html.parser.HTMLParser):
    """Every <form> of a page: action, method, and its named <input>s (in order)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.title = ""
        self._in_title = False
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "inputs": []})
        elif tag in ("input", "button") and self.forms and a.get("name"):
            self.forms[-1]["inputs"].append((a["name"], a.get("value") or "", (a.get("type") or "text").lower()))
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif data.strip():
            self.text.append(data.strip())


class LeftForSp(Exception):
    """A redirect to an SP URL (under --acs-base): captured, not followed."""

    def __init__(self, url):
        super().__init__(url)
        self.url = url


class Browser:
    def __init__(self, timeout=10.0, cookie_jar=None, stop_at=None):
        self.timeout = timeout
        self.cookie_file = cookie_jar
        self.jar = http.cookiejar.MozillaCookieJar(cookie_jar) if cookie_jar else http.cookiejar.CookieJar()
        if cookie_jar and os.path.exists(cookie_jar):
            self.jar.load(ignore_discard=True, ignore_expires=True)
        stop = stop_at

        class Redirects(LoopbackRedirects):
            def redirect_request(self, req, fp, code, msg, headers, newurl):
                if stop and newurl.startswith(stop):
                    raise LeftForSp(newurl)
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), Redirects())
        self.opener.addheaders = [("User-Agent", "saml-sp-testbed-login/1")]

    def save(self):
        if self.cookie_file:
            self.jar.save(ignore_discard=True, ignore_expires=True)

    def request(self, url, data=None):
        """GET (data None) or form-POST; follows redirects; returns (final URL, status, body)."""
        check_loopback(url)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=self.timeout) as r:
                return r.geturl(), r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.geturl(), e.code, e.read().decode("utf-8", "replace")
        except urllib.error.URLError as e:
            raise LoginError("%s: %s" % (url, e.reason))


def error_summary(page):
    """A short text of a SimpleSAMLphp page: its title and, on an error page, the cause."""
    words = "\n".join(page.text)
    causes = re.findall(r"Caused by: ([^\n]+)", words)
    if causes:
        return "%s: %s" % (page.title.strip(), causes[-1])
    return (page.title.strip() + ": " + " ".join(page.text))[:400]


def short(url):
    return urllib.parse.urlsplit(url)._replace(query="").geturl()


def run_flow(browser, url, data=None, user=USER, password=PASSWORD):
    """From the first request (SSO URL) to the auto-submitting SAMLResponse form."""
    submitted_login = False
    for _ in range(MAX_STEPS):
        final_url, status, body = browser.request(url, data)
        page = Forms()
        page.feed(body)
        by_name = [{n: v for n, v, _t in f["inputs"]} for f in page.forms]
        # 1. the SAMLResponse form (SimpleSAMLphp's post.php template)
        for form, fields in zip(page.forms, by_name):
            if "SAMLResponse" in fields:
                return {
                    "acs_url": urllib.parse.urljoin(final_url, form["action"]),
                    "saml_response": fields["SAMLResponse"],
                    "relay_state": fields.get("RelayState"),
                    "password_asked": submitted_login,
                }
        # 2. the UserPass login form (core:loginuserpass)
        login = [(f, d) for f, d in zip(page.forms, by_name) if "username" in d and "password" in d]
        if login:
            if submitted_login:  # shown again: the password was refused
                raise LoginError("login refused (%s): %s" % (short(final_url), error_summary(page)))
            form, fields = login[0]
            fields = dict(fields, username=user, password=password)
            url = urllib.parse.urljoin(final_url, form["action"] or final_url)
            data = fields
            submitted_login = True
            continue
        if status != 200 or "error" in page.title.lower() or not page.forms:
            raise LoginError("IdP answered HTTP %s at %s: %s" % (status, short(final_url), error_summary(page)))
        # 3. some other single POST form (e.g. a notice page): submit it as is
        if len(page.forms) == 1 and page.forms[0]["method"] == "post":
            url = urllib.parse.urljoin(final_url, page.forms[0]["action"] or final_url)
            data = by_name[0]
            continue
        raise LoginError("unexpected page at %s: %s" % (short(final_url), error_summary(page)))
    raise LoginError("no SAMLResponse after %d steps" % MAX_STEPS)


def run_slo(browser, url):
    """A logout message to the IdP: follow its redirects until one leaves for an SP."""
    try:
        final_url, status, body = browser.request(url)
    except LeftForSp as left:
        return {"redirect": left.url}
    page = Forms()
    page.feed(body)
    if status != 200 or "error" in page.title.lower():
        raise LoginError("IdP answered HTTP %s at %s: %s" % (status, short(final_url), error_summary(page)))
    return {"final_url": final_url, "status": status}


# --------------------------------------------------------------------------- requests

def authn_request_xml(req_id, sp_entity_id, acs_url, destination, protocol_binding=True):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    binding = (' ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"'
               if protocol_binding else "")
    return (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        'ID="%s" Version="2.0" IssueInstant="%s" Destination="%s" '
        'AssertionConsumerServiceURL="%s"%s>'
        '<saml:Issuer>%s</saml:Issuer>'
        '<samlp:NameIDPolicy Format="%s" AllowCreate="true"/>'
        '</samlp:AuthnRequest>'
    ) % (req_id, now, destination, acs_url, binding, sp_entity_id, EMAIL_FORMAT)


def new_request_id():
    return "id" + uuid.uuid4().hex  # xs:ID: must start with a letter or underscore


def redirect_url(sso_url, xml, relay_state=None, sign_key=None):
    """HTTP-Redirect binding: raw DEFLATE, base64, URL-encode; optionally signed (rsa-sha256)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = c.compress(xml.encode()) + c.flush()
    query = "SAMLRequest=" + urllib.parse.quote_plus(base64.b64encode(deflated).decode())
    if relay_state is not None:
        query += "&RelayState=" + urllib.parse.quote_plus(relay_state)
    if sign_key:
        query += "&SigAlg=" + urllib.parse.quote_plus(RSA_SHA256)
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", sign_key], input=query.encode(),
                             capture_output=True, check=True, timeout=10).stdout
        query += "&Signature=" + urllib.parse.quote_plus(base64.b64encode(sig).decode())
    return sso_url + ("&" if "?" in sso_url else "?") + query


# --------------------------------------------------------------------------- checks

def xmlsec_verify(xml_bytes, cert, xpath):
    """xmlsec1 --verify of the one Signature that xpath selects, with the given cert only."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(xml_bytes)
        f.flush()
        r = subprocess.run(
            ["xmlsec1", "--verify", "--pubkey-cert-pem", cert, "--enabled-key-data", "key-name",
             "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
             "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
             "--node-xpath", xpath, f.name],
            capture_output=True, text=True, timeout=20)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


XP_RESPONSE_SIG = "/*[local-name()='Response']/*[local-name()='Signature']"
XP_ASSERTION_SIG = "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Signature']"


def describe(xml_bytes):
    """The fields of a Response that the saml-sp verifier looks at."""
    root = ET.fromstring(xml_bytes)
    a = root.find("saml:Assertion", NS)
    out = {
        "Response": {k: root.get(k) for k in ("ID", "InResponseTo", "Destination", "IssueInstant", "Version")},
        "Response/Issuer": (root.findtext("saml:Issuer", None, NS)),
        "Status": root.find("samlp:Status/samlp:StatusCode", NS).get("Value"),
        "EncryptedAssertion": root.find("saml:EncryptedAssertion", NS) is not None,
    }
    for where, el in (("Response", root), ("Assertion", a)):
        sig = el.find("ds:Signature", NS) if el is not None else None
        if sig is not None:
            out[where + "/Signature"] = {
                "SignatureMethod": sig.find("ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm"),
                "DigestMethod": sig.find("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS).get("Algorithm"),
                "Reference URI": sig.find("ds:SignedInfo/ds:Reference", NS).get("URI"),
                "KeyInfo X509Certificate": sig.find(".//ds:X509Certificate", NS) is not None,
            }
        else:
            out[where + "/Signature"] = None
    if a is None:
        return out
    nameid = a.find("saml:Subject/saml:NameID", NS)
    scd = a.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    cond = a.find("saml:Conditions", NS)
    authn = a.find("saml:AuthnStatement", NS)
    out.update({
        "Assertion": {k: a.get(k) for k in ("ID", "IssueInstant", "Version")},
        "Assertion/Issuer": a.findtext("saml:Issuer", None, NS),
        "NameID": {"value": nameid.text, **dict(nameid.attrib)} if nameid is not None else None,
        "SubjectConfirmation Method": a.find("saml:Subject/saml:SubjectConfirmation", NS).get("Method"),
        "SubjectConfirmationData": dict(scd.attrib) if scd is not None else None,
        "Conditions": dict(cond.attrib) if cond is not None else None,
        "Audience": [x.text for x in a.findall(
            "saml:Conditions/saml:AudienceRestriction/saml:Audience", NS)],
        "AuthnStatement": dict(authn.attrib) if authn is not None else None,
        "AuthnContextClassRef": a.findtext("saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef",
                                           None, NS),
        "Attributes": {
            at.get("Name"): {"NameFormat": at.get("NameFormat"),
                             "values": [v.text for v in at.findall("saml:AttributeValue", NS)]}
            for at in a.findall("saml:AttributeStatement/saml:Attribute", NS)
        },
    })
    return out


MODES = {
    # mode: (Response signed, Assertion signed, SignatureMethod)
    "assertion-only": (False, True, RSA_SHA256),
    "response-only": (True, False, RSA_SHA256),
    "both": (True, True, RSA_SHA256),
    "sha1": (False, True, RSA_SHA1),
}


class SelfTest:
    def __init__(self, base_url, acs_base, idp_entity_id, idp_cert, timeout):
        self.base_url = base_url.rstrip("/")
        self.sso_url = self.base_url + "/saml2/idp/SSOService.php"
        self.acs_base = acs_base.rstrip("/")
        self.idp_entity_id = idp_entity_id
        self.idp_cert = idp_cert
        self.timeout = timeout
        self.passed = 0
        self.failed = 0
        self.samples = {}

    def check(self, cond, what):
        if cond:
            self.passed += 1
            print("  ok   %s" % what, file=sys.stderr)
        else:
            self.failed += 1
            print("  FAIL %s" % what, file=sys.stderr)
        return cond

    def sp(self, mode):
        return "https://sso.example.com/saml/" + mode, "%s/saml/%s/acs" % (self.acs_base, mode)

    def login(self, url, data=None):
        t = time.monotonic()
        got = run_flow(Browser(self.timeout), url, data)
        return got, time.monotonic() - t

    def check_response(self, mode, got, req_id, relay_state, expect_sigs=None):
        sp_id, acs = self.sp(mode)
        resp_signed, assertion_signed, alg = expect_sigs or MODES[mode]
        xml = base64.b64decode(got["saml_response"])
        d = describe(xml)
        self.check(got["acs_url"] == acs, "%s: form posts to the registered ACS %s" % (mode, acs))
        self.check(got["relay_state"] == relay_state, "%s: RelayState returned" % mode)
        self.check(d["Status"] == "urn:oasis:names:tc:SAML:2.0:status:Success", "%s: Status Success" % mode)
        self.check(d["Response"]["InResponseTo"] == req_id, "%s: Response InResponseTo = request ID" % mode)
        self.check(d["Response"]["Destination"] == acs, "%s: Response Destination = ACS" % mode)
        self.check(d["Response/Issuer"] == self.idp_entity_id, "%s: Response Issuer = IdP entity ID" % mode)
        scd = d.get("SubjectConfirmationData") or {}
        self.check(scd.get("InResponseTo") == req_id, "%s: SubjectConfirmationData InResponseTo" % mode)
        self.check(scd.get("Recipient") == acs, "%s: SubjectConfirmationData Recipient = ACS" % mode)
        self.check(d.get("Audience") == [sp_id], "%s: Audience = SP entity ID" % mode)
        nid = d.get("NameID") or {}
        self.check(nid.get("value") == "alice@acme.example" and nid.get("Format") == EMAIL_FORMAT,
                   "%s: NameID alice@acme.example (emailAddress)" % mode)
        attrs = d.get("Attributes") or {}
        self.check(attrs.get("http://schemas.microsoft.com/claims/authnmethodsreferences", {}).get("values", [])[-1:]
                   == ["http://schemas.microsoft.com/claims/multipleauthn"]
                   and len(attrs.get("http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
                                     {}).get("values", [])) == 2
                   and all(v["NameFormat"] == URI_FORMAT for v in attrs.values()),
                   "%s: Azure claims (amr multipleauthn, 2 groups), NameFormat uri" % mode)
        for where, signed, xp in (("Response", resp_signed, XP_RESPONSE_SIG),
                                  ("Assertion", assertion_signed, XP_ASSERTION_SIG)):
            sig = d.get(where + "/Signature")
            if not signed:
                self.check(sig is None, "%s: %s not signed" % (mode, where))
                continue
            if not self.check(sig is not None, "%s: %s signed" % (mode, where)):
                continue
            self.check(sig["SignatureMethod"] == alg, "%s: %s SignatureMethod %s" % (mode, where, alg))
            ok, out = xmlsec_verify(xml, self.idp_cert, xp)
            self.check(ok, "%s: xmlsec1 verifies the %s signature with the IdP cert" % (mode, where)
                       + ("" if ok else "\n" + out))
            bad, _ = xmlsec_verify(xml, os.path.join(KEYS, "attacker.crt.pem"), xp)
            self.check(not bad, "%s: xmlsec1 refuses the %s signature with another cert" % (mode, where))
        return d

    def run(self):
        t_all = time.monotonic()
        times = []
        for mode in MODES:
            print("[%s]" % mode, file=sys.stderr)
            sp_id, acs = self.sp(mode)
            req_id = new_request_id()
            rs = "relay-" + mode
            url = redirect_url(self.sso_url, authn_request_xml(req_id, sp_id, acs, self.sso_url), rs)
            try:
                got, dt = self.login(url)
            except LoginError as e:
                self.check(False, "%s: login flow: %s" % (mode, e))
                continue
            times.append(dt)
            print("  login (HTTP-Redirect): %.3f s" % dt, file=sys.stderr)
            self.samples[mode] = self.check_response(mode, got, req_id, rs)

        print("[HTTP-POST binding, SP both]", file=sys.stderr)
        sp_id, acs = self.sp("both")
        req_id = new_request_id()
        xml = authn_request_xml(req_id, sp_id, acs, self.sso_url)
        try:
            got, dt = self.login(self.sso_url, {"SAMLRequest": base64.b64encode(xml.encode()).decode(),
                                                "RelayState": "relay-post"})
            print("  login (HTTP-POST): %.3f s" % dt, file=sys.stderr)
            self.check_response("both", got, req_id, "relay-post")
        except LoginError as e:
            self.check(False, "post: login flow: %s" % e)

        print("[request names an unregistered ACS URL, SP both]", file=sys.stderr)
        req_id = new_request_id()
        evil = "http://127.0.0.1:9/evil/acs"
        url = redirect_url(self.sso_url, authn_request_xml(req_id, sp_id, evil, self.sso_url), "relay-acs")
        try:
            got, _ = self.login(url)
            self.check(got["acs_url"] == acs,
                       "IdP ignores the unregistered AssertionConsumerServiceURL and posts to %s" % acs)
            d = describe(base64.b64decode(got["saml_response"]))
            self.check(d["Response"]["Destination"] == acs and d["SubjectConfirmationData"]["Recipient"] == acs,
                       "Destination and Recipient are the registered ACS, not the requested one")
            self.samples["unregistered-acs"] = {"requested": evil, "posted_to": got["acs_url"]}
        except LoginError as e:
            self.check(False, "unregistered ACS: %s" % e)

        print("[SP signed-requests: validate.authnrequest]", file=sys.stderr)
        sp_id, acs = self.sp("signed-requests")
        req_id = new_request_id()
        xml = authn_request_xml(req_id, sp_id, acs, self.sso_url)
        try:
            self.login(redirect_url(self.sso_url, xml, "relay-unsigned"))
            self.check(False, "unsigned AuthnRequest refused")
        except LoginError as e:
            self.check(True, "unsigned AuthnRequest refused (%s)" % str(e)[:160])
            self.samples["unsigned-refused"] = str(e)[:300]
        try:
            got, _ = self.login(redirect_url(self.sso_url, xml, "relay-signed",
                                             sign_key=os.path.join(KEYS, "sp.key.pem")))
            self.check_response("signed-requests", got, req_id, "relay-signed", (True, True, RSA_SHA256))
        except LoginError as e:
            self.check(False, "signed AuthnRequest (rsa-sha256, fixtures/keys/sp) accepted: %s" % e)
        try:
            self.login(redirect_url(self.sso_url, xml, "relay-badsig",
                                    sign_key=os.path.join(KEYS, "attacker.key.pem")))
            self.check(False, "AuthnRequest signed with another key refused")
        except LoginError as e:
            self.check(True, "AuthnRequest signed with another key refused (%s)" % str(e)[:160])

        print("[IdP-initiated (unsolicited), SP both]", file=sys.stderr)
        sp_id, acs = self.sp("both")
        try:
            got, _ = self.login(self.sso_url + "?" + urllib.parse.urlencode(
                {"spentityid": sp_id, "RelayState": "relay-idp-init"}))
            d = describe(base64.b64decode(got["saml_response"]))
            self.check(d["Response"]["InResponseTo"] is None
                       and "InResponseTo" not in (d["SubjectConfirmationData"] or {}),
                       "unsolicited Response has no InResponseTo")
        except LoginError as e:
            self.check(False, "IdP-initiated: %s" % e)

        print("[wrong password]", file=sys.stderr)
        sp_id, acs = self.sp("both")
        try:
            run_flow(Browser(self.timeout), redirect_url(
                self.sso_url, authn_request_xml(new_request_id(), sp_id, acs, self.sso_url)),
                password="wrong")
            self.check(False, "wrong password refused")
        except LoginError as e:
            self.check(True, "wrong password refused (%s)" % str(e)[:160])

        total = time.monotonic() - t_all
        print("\nsample Response (SP assertion-only):", file=sys.stderr)
        print(json.dumps(self.samples.get("assertion-only"), indent=2), file=sys.stderr)
        for k in ("sha1", "unregistered-acs", "unsigned-refused"):
            if k in self.samples:
                s = self.samples[k]
                if k == "sha1":
                    s = {w: s.get(w) for w in ("Response/Signature", "Assertion/Signature")}
                print("%s: %s" % (k, json.dumps(s)), file=sys.stderr)
        if times:
            print("login times (s): %s; whole self-test %.2f s"
                  % (", ".join("%.3f" % t for t in times), total), file=sys.stderr)
        print("self-test: %d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1


# --------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--redirect", metavar="URL", help="HTTP-Redirect binding: the full SSO URL with ?SAMLRequest=...")
    g.add_argument("--post", metavar="SSO_URL", help="HTTP-POST binding: POST --saml-request to SSO_URL")
    g.add_argument("--idp-initiated", metavar="SP_ENTITY_ID", help="unsolicited login for this SP")
    g.add_argument("--self-test", action="store_true", help="run the whole flow for every SP and check it")
    g.add_argument("--slo", metavar="URL", help="send a logout message (a URL to the IdP) with --cookie-jar's session")
    g.add_argument("--idp-logout", action="store_true", help="start a logout at the IdP (ReturnTo its base URL)")
    p.add_argument("--cookie-jar", metavar="FILE", help="keep cookies (the IdP session) in FILE across runs")
    p.add_argument("--saml-request", help="base64 AuthnRequest XML (no DEFLATE) for --post")
    p.add_argument("--relay-state", help="RelayState for --post / --idp-initiated")
    p.add_argument("--base-url", default=os.environ.get("SSP_BASE_URL"),
                   help="IdP base URL, e.g. http://127.0.0.1:PORT (default $SSP_BASE_URL)")
    p.add_argument("--acs-base", default=os.environ.get("SSP_ACS_BASE", "http://127.0.0.1:18081"),
                   help="the SPs' ACS URL prefix start.sh used (default $SSP_ACS_BASE or its default)")
    p.add_argument("--idp-entity-id", default=os.environ.get("SSP_IDP_ENTITY_ID",
                                                             "urn:saml-sp:testbed:simplesamlphp"))
    p.add_argument("--idp-cert", default=os.environ.get("SSP_IDP_CERT", os.path.join(KEYS, "idp-a.crt.pem")))
    p.add_argument("--user", default=USER)
    p.add_argument("--password", default=PASSWORD)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP request (default 10)")
    p.add_argument("--xml", action="store_true", help="also put the decoded Response XML in the JSON")
    args = p.parse_args()

    try:
        if args.self_test:
            if not args.base_url:
                p.error("--self-test needs --base-url or $SSP_BASE_URL")
            return SelfTest(args.base_url, args.acs_base, args.idp_entity_id, args.idp_cert, args.timeout).run()
        b = Browser(args.timeout, args.cookie_jar, args.acs_base.rstrip("/") + "/")
        if args.slo or args.idp_logout:
            if args.slo:
                url = args.slo
            else:
                if not args.base_url:
                    p.error("--idp-logout needs --base-url or $SSP_BASE_URL")
                base = args.base_url.rstrip("/")
                url = base + "/saml2/idp/SingleLogoutService.php?" + urllib.parse.urlencode(
                    {"ReturnTo": base + "/saml2/idp/metadata.php"})
            got = run_slo(b, url)
            b.save()
            print(json.dumps(got))
            return 0
        if args.redirect:
            got = run_flow(b, args.redirect, None, args.user, args.password)
        elif args.post:
            if not args.saml_request:
                p.error("--post needs --saml-request")
            data = {"SAMLRequest": args.saml_request}
            if args.relay_state is not None:
                data["RelayState"] = args.relay_state
            got = run_flow(b, args.post, data, args.user, args.password)
        else:
            if not args.base_url:
                p.error("--idp-initiated needs --base-url or $SSP_BASE_URL")
            q = {"spentityid": args.idp_initiated}
            if args.relay_state is not None:
                q["RelayState"] = args.relay_state
            got = run_flow(b, args.base_url.rstrip("/") + "/saml2/idp/SSOService.php?" + urllib.parse.urlencode(q),
                           None, args.user, args.password)
        b.save()
        if args.xml:
            got["xml"] = base64.b64decode(got["saml_response"]).decode()
        print(json.dumps(got))
        return 0
    except LoginError as e:
        print("login.py: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
