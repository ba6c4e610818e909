#!/usr/bin/env bash
# Validates the SP metadata that `saml_check sp-metadata` writes against the OASIS
# SAML 2.0 metadata schema with xmllint (Debian libxml2-utils).
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
