#!/usr/bin/env bash
# The encrypted 5 KB Azure-shaped response (fixtures/xmlenc/bench-azure-5k.xml)
# through saml-sp (saml_check verify --repeat, release build) and python3-saml
# (xmlsec), and the cleartext 5 KB response through both, R rounds
# interleaved; prints one JSON line per program and round.
#   bash compare/xmlenc/run.sh [N=300] [R=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-300}
R=${2:-3}
PY3SAML_VERSION=1.16.0
tools=target/compare/python3-saml-$PY3SAML_VERSION
if [ ! -d "$tools/onelogin" ]; then
  # python3-saml itself and isodate; lxml and python-xmlsec are the ones
  # .ci/run installs (lxml 6.1.3, xmlsec 1.3.17).
  pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --target "$tools" \
    "python3-saml==$PY3SAML_VERSION" "isodate==0.7.2"
fi
cargo build -q --release --example saml_check
check=target/release/examples/saml_check
args=(verify --idp-metadata fixtures/metadata/azure-app-signed.xml
      --sp-entity-id https://sso.example.com/saml/acme --acs-url https://sso.example.com/saml/acme/acs
      --request-id id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f --now 2026-03-02T10:01:00Z --repeat "$N")
for round in $(seq "$R"); do
  enc=$("$check" "${args[@]}" --decryption-key fixtures/keys/sp-enc.key.pem fixtures/xmlenc/bench-azure-5k.xml)
  plain=$("$check" "${args[@]}" fixtures/dsig/assertion-signed.xml)
  python3 - "$round" "$enc" "$plain" <<'PY'
import json, sys
r, enc, plain = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
assert enc["encrypted"] is True and plain["encrypted"] is False
print(json.dumps({"implementation": "saml-sp", "round": int(r), "n": enc["repeat"],
                  "verify_encrypted_ns": enc["per_verify_ns"], "verify_plain_ns": plain["per_verify_ns"]}))
PY
  PYTHONPATH="$tools" python3 compare/xmlenc/python3_saml.py "$N" | python3 -c "import json,sys; d=json.load(sys.stdin); d['round']=$round; print(json.dumps(d))"
done
