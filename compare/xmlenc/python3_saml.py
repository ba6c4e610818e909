"""The encrypted 5 KB Azure-shaped response through python3-saml (xmlsec).

Prints one JSON object: python3-saml's median time to build
OneLogin_Saml2_Response (which decrypts the EncryptedAssertion with
xmlsec) and run is_valid (every check, the signature with xmlsec) on
fixtures/xmlenc/bench-azure-5k.xml, the same for the cleartext
fixtures/dsig/assertion-signed.xml, and xmlsec's decryption of the
EncryptedData alone. Run by compare/xmlenc/run.sh, which installs
python3-saml; see compare/xmlenc/README.md.

python3-saml reads the clock inside is_valid; the fixtures are pinned at
2026-03-02T10:01:00Z, so OneLogin_Saml2_Utils.now is replaced by that
instant (no check is skipped).
"""
import base64
import calendar
import json
import statistics
import sys
import time
from pathlib import Path

from lxml import etree
import xmlsec
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

ROOT = Path(__file__).resolve().parents[2]
N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
NOW = calendar.timegm(time.strptime("2026-03-02T10:01:00Z", "%Y-%m-%dT%H:%M:%SZ"))
OneLogin_Saml2_Utils.now = staticmethod(lambda: NOW)

SP = "https://sso.example.com/saml/acme"
ACS = "https://sso.example.com/saml/acme/acs"
IDP = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/"
REQUEST = "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f"


def pem_body(path):
    return "".join(l for l in path.read_text().splitlines() if l and not l.startswith("-----"))


settings = OneLogin_Saml2_Settings(
    {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": SP,
            "assertionConsumerService": {
                "url": ACS,
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            },
            "x509cert": pem_body(ROOT / "fixtures/keys/sp-enc.crt.pem"),
            "privateKey": (ROOT / "fixtures/keys/sp-enc.key.pem").read_text(),
        },
        "idp": {
            "entityId": IDP,
            "singleSignOnService": {
                "url": "https://login.microsoftonline.com/x/saml2",
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
            },
            "x509cert": pem_body(ROOT / "fixtures/keys/idp-a.crt.pem"),
        },
        "security": {
            "wantAssertionsEncrypted": False,
            "wantAssertionsSigned": True,
            "rejectDeprecatedAlgorithm": True,
        },
    },
    sp_validation_only=True,
)
REQUEST_DATA = {
    "https": "on",
    "http_host": "sso.example.com",
    "server_port": "443",
    "script_name": "/saml/acme/acs",
    "get_data": {},
    "post_data": {},
}


def verify_once(b64):
    response = OneLogin_Saml2_Response(settings, b64)
    if not response.is_valid(REQUEST_DATA, REQUEST, raise_exceptions=True):
        raise SystemExit("python3-saml refused the fixture: " + str(response.get_error()))
    return response


def median_ns(fn, n):
    for _ in range(max(3, n // 20)):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return int(statistics.median(samples))


encrypted = (ROOT / "fixtures/xmlenc/bench-azure-5k.xml").read_bytes()
plain = (ROOT / "fixtures/dsig/assertion-signed.xml").read_bytes()
enc_b64 = base64.b64encode(encrypted).decode()
plain_b64 = base64.b64encode(plain).decode()

r = verify_once(enc_b64)
assert r.get_nameid() == "alice@acme.example", r.get_nameid()
assert r.encrypted
r = verify_once(plain_b64)
assert r.get_nameid() == "alice@acme.example"
# Sanity: a tampered ciphertext is refused.
bad = encrypted.replace(b"<xenc:CipherValue>", b"<xenc:CipherValue>AAAA", 1)
try:
    verify_once(base64.b64encode(bad).decode())
    raise SystemExit("python3-saml accepted a tampered ciphertext")
except Exception:
    pass

key = xmlsec.Key.from_file(str(ROOT / "fixtures/keys/sp-enc.key.pem"), xmlsec.constants.KeyDataFormatPem)
manager = xmlsec.KeysManager()
manager.add_key(key)


def decrypt_only():
    doc = etree.fromstring(encrypted)
    node = doc.find(".//{http://www.w3.org/2001/04/xmlenc#}EncryptedData")
    xmlsec.EncryptionContext(manager).decrypt(node)


out = {
    "implementation": "python3-saml",
    "n": N,
    "verify_encrypted_ns": median_ns(lambda: verify_once(enc_b64), N),
    "verify_plain_ns": median_ns(lambda: verify_once(plain_b64), N),
    "xmlsec_decrypt_only_ns": median_ns(decrypt_only, N),
}
print(json.dumps(out))
