#!/usr/bin/env bash
# Validates the SP metadata that `saml_check sp-metadata` writes against the OASIS
# SAML 2.0 metadata schema, and the AuthnRequests that `saml_check authn-request`
# builds (both bindings, signed and unsigned, every option) against the protocol
# schema, with xmllint (Debian libxml2-utils). Signed AuthnRequests are also
# verified by independent implementations: xmlsec1 (HTTP-POST, enveloped XML
# signature) and openssl (HTTP-Redirect, signature over the query octets).
#
# The OASIS schemas are not committed: they ship inside the PyPI package
# python3-saml (onelogin/saml2/schemas/). Only the .xsd files are needed, so it is
# installed with --no-deps (no xmlsec C build) into target/, outside the tree.
set -euo pipefail
cd "$(dirname "$0")/.."

PY3SAML_VERSION=1.16.0
tools=target/ci/python3-saml-$PY3SAML_VERSION
schemas=$tools/onelogin/saml2/schemas
if [ ! -f "$schemas/saml-schema-metadata-2.0.xsd" ]; then
  rm -rf "$tools"
  pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --target "$tools" "python3-saml==$PY3SAML_VERSION"
fi
xsd=$schemas/saml-schema-metadata-2.0.xsd
test -f "$xsd"
command -v xmllint >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build -q --example saml_check
sp_metadata() { cargo run -q --example saml_check -- sp-metadata "$@"; }
base=(--sp-entity-id "https://sso.example.com/saml/acme" --acs-url "https://sso.example.com/saml/acme/acs")
sp_metadata "${base[@]}" >"$out/minimal.xml"
sp_metadata "${base[@]}" --sign-cert fixtures/keys/sp.crt.pem >"$out/sign-cert.xml"
grep -q 'AuthnRequestsSigned="true"' "$out/sign-cert.xml"
sp_metadata "${base[@]}" --sign-cert fixtures/keys/sp.crt.pem --encryption-cert fixtures/keys/sp-enc.crt.pem \
  --encryption-cert fixtures/keys/sp-enc-next.crt.pem >"$out/encryption-certs.xml"
test "$(grep -c '<md:KeyDescriptor use="encryption">' "$out/encryption-certs.xml")" = 2
sp_metadata "${base[@]}" --slo-url "https://sso.example.com/saml/acme/slo" >"$out/slo.xml"
sp_metadata "${base[@]}" --sign-cert fixtures/keys/sp.crt.pem --slo-url "https://sso.example.com/saml/acme/slo" \
  --name-id-format email --name-id-format persistent --valid-until 2027-01-01T00:00:00Z >"$out/full.xml"
# Markup characters in the entity ID and URLs: escaped, still valid.
sp_metadata --sp-entity-id "urn:example:sp&<\"'>" --acs-url "https://sso.example.com/acs?a=1&b=<2>" \
  --slo-url "https://sso.example.com/slo?x=\"'" >"$out/escaped.xml"

for f in "$out"/*.xml; do
  xmllint --noout --nonet --schema "$xsd" "$f"
done

# Our committed aggregate fixture is schema-valid too.
xmllint --noout --nonet --schema "$xsd" fixtures/metadata/aggregate-signed.xml

# Negative control: xmllint must reject a document without an AssertionConsumerService.
grep -v AssertionConsumerService "$out/minimal.xml" >"$out/no-acs.invalid"
if xmllint --noout --nonet --schema "$xsd" "$out/no-acs.invalid" 2>/dev/null; then
  echo "schema-check: xmllint accepted an SPSSODescriptor without AssertionConsumerService" >&2
  exit 1
fi

echo "schema-check: SP metadata valid against $(basename "$xsd") (python3-saml $PY3SAML_VERSION)"

# ---- AuthnRequests -------------------------------------------------------------
pxsd=$schemas/saml-schema-protocol-2.0.xsd
test -f "$pxsd"
command -v xmlsec1 >/dev/null
command -v openssl >/dev/null
check=target/debug/examples/saml_check
openssl x509 -in fixtures/keys/sp.crt.pem -pubkey -noout >"$out/sp.pub.pem"
base=(--idp-metadata fixtures/metadata/azure-app-signed.xml --now 2026-03-02T10:01:00Z
      --sp-entity-id "https://sso.example.com/saml/acme" --acs-url "https://sso.example.com/saml/acme/acs")
sign=(--sign-key fixtures/keys/sp.key.pem --sign-cert fixtures/keys/sp.crt.pem)
every=(--name-id-format persistent --allow-create true --force-authn --is-passive
       --authn-context-class urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport
       --authn-context-class urn:oasis:names:tc:SAML:2.0:ac:classes:X509
       --authn-context-comparison minimum --subject-name-id "alice&<\"o'brien\">@acme.example"
       --relay-state "/teams/acme?next=<&>\"")

# Decodes one `saml_check authn-request` JSON line with Python's own zlib,
# base64, urllib and html parsers (not ours): writes NAME.xml and, for a signed
# Redirect URL, NAME.octets (SAMLRequest=…&RelayState=…&SigAlg=… as sent) and
# NAME.sig.
decode() {
  python3 - "$1" "$2" <<'PY'
import base64, html.parser, json, sys, urllib.parse, zlib
src, name = sys.argv[1], sys.argv[2]
out = json.load(open(src))
assert out["ok"] is True and out["request_id"].startswith("id") and len(out["request_id"]) == 34, out
if "url" in out:
    query = out["url"].split("?", 1)[1]
    raw = dict(p.split("=", 1) for p in query.split("&"))
    xml = zlib.decompress(base64.b64decode(urllib.parse.unquote(raw["SAMLRequest"])), -15)
    if "Signature" in raw:
        octets = "&".join(f"{k}={raw[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in raw)
        assert urllib.parse.unquote(raw["SigAlg"]) == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        open(name + ".octets", "wb").write(octets.encode())
        open(name + ".sig", "wb").write(base64.b64decode(urllib.parse.unquote(raw["Signature"])))
else:
    fields = {}
    class Form(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input":
                fields[a["name"]] = a["value"]
            if tag == "script":
                assert a.get("nonce"), "script without nonce"
    Form().feed(out["html"])
    xml = base64.b64decode(fields["SAMLRequest"])
assert b'ID="' + out["request_id"].encode() + b'"' in xml
open(name + ".xml", "wb").write(xml)
PY
}

n=0
for binding in redirect post; do
  for signing in unsigned signed; do
    for options in minimal every; do
      name=$out/authn-$binding-$signing-$options
      args=("${base[@]}" --binding "$binding")
      [ "$signing" = signed ] && args+=("${sign[@]}")
      [ "$options" = every ] && args+=("${every[@]}")
      "$check" authn-request "${args[@]}" >"$name.json"
      decode "$name.json" "$name"
      xmllint --noout --nonet --schema "$pxsd" "$name.xml"
      if [ "$options" = every ]; then
        for attr in 'ForceAuthn="true"' 'IsPassive="true"' 'AllowCreate="true"' 'Comparison="minimum"' \
                    nameid-format:persistent classes:X509 "<saml:Subject>"; do
          grep -qF "$attr" "$name.xml" || { echo "schema-check: $attr missing from $name.xml" >&2; exit 1; }
        done
      fi
      if [ "$signing" = signed ] && [ "$binding" = post ]; then
        xmlsec1 --verify --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest \
          --pubkey-cert-pem fixtures/keys/sp.crt.pem --enabled-key-data key-name "$name.xml" 2>/dev/null
        # Negative control: another key does not verify it.
        if xmlsec1 --verify --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest \
             --pubkey-cert-pem fixtures/keys/attacker.crt.pem --enabled-key-data key-name "$name.xml" 2>/dev/null; then
          echo "schema-check: xmlsec1 accepted $name.xml under the wrong key" >&2; exit 1
        fi
      fi
      if [ "$signing" = signed ] && [ "$binding" = redirect ]; then
        openssl dgst -sha256 -verify "$out/sp.pub.pem" -signature "$name.sig" "$name.octets" >/dev/null
        printf 'x' >>"$name.octets"
        if openssl dgst -sha256 -verify "$out/sp.pub.pem" -signature "$name.sig" "$name.octets" >/dev/null 2>&1; then
          echo "schema-check: openssl accepted changed octets for $name" >&2; exit 1
        fi
      fi
      n=$((n + 1))
    done
  done
done

# Refusals: exit 1 with the error kind as JSON; usage errors exit 2.
set +e
long=$("$check" authn-request "${base[@]}" --relay-state "$(printf 'r%.0s' $(seq 81))"); long_rc=$?
"$check" authn-request "${base[@]}" --sign-key fixtures/keys/sp.key.pem >/dev/null 2>&1; usage_rc=$?
set -e
[ "$long_rc" -eq 1 ] && echo "$long" | grep -q '"error":"relay_state_too_long"'
[ "$usage_rc" -eq 2 ]

# Negative control: the protocol schema refuses an AuthnRequest without Version.
sed 's/ Version="2.0"//' "$out/authn-post-unsigned-every.xml" >"$out/no-version.invalid"
if xmllint --noout --nonet --schema "$pxsd" "$out/no-version.invalid" 2>/dev/null; then
  echo "schema-check: xmllint accepted an AuthnRequest without Version" >&2
  exit 1
fi

echo "schema-check: $n AuthnRequests valid against $(basename "$pxsd"); signatures verified by xmlsec1 (POST) and openssl (Redirect)"

# ---- Single Logout: our LogoutRequests and LogoutResponses -----------------------
# Schema-valid, and signed ones verified by xmlsec1 (POST) and openssl (Redirect).
# Azure's metadata has only an HTTP-Redirect SingleLogoutService; a copy with an
# HTTP-POST one as well (its metadata signature is not a source of trust and is
# not checked without a pinned signer) serves the POST binding.
sed 's|</IDPSSODescriptor>|<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2"/></IDPSSODescriptor>|' \
  fixtures/metadata/azure-app-signed.xml >"$out/idp-both-slo.xml"
grep -q 'bindings:HTTP-POST" Location="https://login.microsoftonline.com' "$out/idp-both-slo.xml"
lbase=(--idp-metadata "$out/idp-both-slo.xml" --now 2026-03-02T10:01:00Z --sp-entity-id "https://sso.example.com/saml/acme"
       --name-id "alice&<\"o'brien\">@acme.example" --name-id-format urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress
       --session-index _a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d --session-index "_second<&>" --relay-state "/signed-out?a=<&>")

# As decode() above, for any SAMLRequest/SAMLResponse in "url", "html" or "response_url".
decode_logout() {
  python3 - "$1" "$2" <<'PY'
import base64, html.parser, json, sys, urllib.parse, zlib
src, name = sys.argv[1], sys.argv[2]
out = json.load(open(src))
assert out["ok"] is True, out
url = out.get("url") or out.get("response_url")
if url:
    query = url.split("?", 1)[1]
    raw = dict(p.split("=", 1) for p in query.split("&"))
    field = "SAMLRequest" if "SAMLRequest" in raw else "SAMLResponse"
    xml = zlib.decompress(base64.b64decode(urllib.parse.unquote(raw[field])), -15)
    if "Signature" in raw:
        octets = "&".join(f"{k}={raw[k]}" for k in (field, "RelayState", "SigAlg") if k in raw)
        open(name + ".octets", "wb").write(octets.encode())
        open(name + ".sig", "wb").write(base64.b64decode(urllib.parse.unquote(raw["Signature"])))
else:
    fields = {}
    class Form(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input":
                fields[a["name"]] = a["value"]
    Form().feed(out["html"])
    xml = base64.b64decode(fields["SAMLRequest"])
open(name + ".xml", "wb").write(xml)
PY
}

m=0
for binding in redirect post; do
  for signing in unsigned signed; do
    name=$out/logout-$binding-$signing
    args=("${lbase[@]}" --binding "$binding")
    [ "$signing" = signed ] && args+=("${sign[@]}")
    "$check" logout-request "${args[@]}" >"$name.json"
    decode_logout "$name.json" "$name"
    xmllint --noout --nonet --schema "$pxsd" "$name.xml"
    grep -qF '<samlp:SessionIndex>_second&lt;&amp;&gt;</samlp:SessionIndex>' "$name.xml"
    if [ "$signing" = signed ] && [ "$binding" = post ]; then
      xmlsec1 --verify --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest \
        --pubkey-cert-pem fixtures/keys/sp.crt.pem --enabled-key-data key-name "$name.xml" 2>/dev/null
      if xmlsec1 --verify --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest \
           --pubkey-cert-pem fixtures/keys/attacker.crt.pem --enabled-key-data key-name "$name.xml" 2>/dev/null; then
        echo "schema-check: xmlsec1 accepted $name.xml under the wrong key" >&2; exit 1
      fi
    fi
    if [ "$signing" = signed ] && [ "$binding" = redirect ]; then
      openssl dgst -sha256 -verify "$out/sp.pub.pem" -signature "$name.sig" "$name.octets" >/dev/null
    fi
    m=$((m + 1))
  done
done
# Our LogoutResponse to the corpus's Azure LogoutRequest, signed, over Redirect.
name=$out/logout-response
"$check" verify-logout-request --idp-metadata fixtures/metadata/azure-app-signed.xml --now 2026-03-02T10:01:00Z \
  --sp-entity-id "https://sso.example.com/saml/acme" --slo-url "https://sso.example.com/saml/acme/slo" "${sign[@]}" \
  fixtures/logout/lr-redirect-valid-relaystate.url >"$name.json"
decode_logout "$name.json" "$name"
xmllint --noout --nonet --schema "$pxsd" "$name.xml"
grep -qF 'InResponseTo="_c4a7e2f1-8d3b-4e6a-9f0c-1b2d3e4f5a6b"' "$name.xml"
openssl dgst -sha256 -verify "$out/sp.pub.pem" -signature "$name.sig" "$name.octets" >/dev/null
m=$((m + 1))
echo "schema-check: $m logout messages valid against $(basename "$pxsd"); signatures verified by xmlsec1 (POST) and openssl (Redirect)"
