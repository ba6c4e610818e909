#!/usr/bin/env bash
# Side-by-side: samael 0.0.22 (default `xmlsec` feature) vs saml-sp (default
# pure-Rust build, and --features aws-lc-rs) verifying the same three
# xmlsec1-signed fixtures in the same kind of loop (one process per
# implementation, warm-up, then N timed verifies, median per verify).
#
#   bash compare/samael/run.sh [ITERATIONS] [ROUNDS]
#
# Needs (Debian 12): apt-get install -y libxmlsec1-dev libxml2-dev libssl-dev \
#   pkg-config clang libclang-dev   (samael's build script runs bindgen)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
iterations="${1:-300}"
rounds="${2:-3}"
files=(
  "$root/fixtures/dsig/assertion-signed.xml"
  "$root/fixtures/dsig/both-signed.xml"
  "$root/fixtures/dsig/azure-100k-groups.xml"
)
bin="$here/target/bin"
mkdir -p "$bin"

echo "building samael-compare (release)..." >&2
(cd "$here" && cargo build --release -q)
cp "$here/target/release/samael-compare" "$bin/samael"
echo "building saml-sp examples/verify_timing (release, default and aws-lc-rs)..." >&2
(cd "$root" && CARGO_TARGET_DIR="$here/target/ours" cargo build --release -q --example verify_timing)
cp "$here/target/ours/release/examples/verify_timing" "$bin/ours-rsa"
(cd "$root" && CARGO_TARGET_DIR="$here/target/ours" cargo build --release -q --features aws-lc-rs --example verify_timing)
cp "$here/target/ours/release/examples/verify_timing" "$bin/ours-aws-lc-rs"

out="$here/target/results.jsonl"
: > "$out"
# samael is ~100 ms per verify at 100 KB: fewer iterations there.
for round in $(seq "$rounds"); do
  echo "round $round/$rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  for f in "${files[@]}"; do
    n="$iterations"
    case "$f" in *100k*) n=$(( iterations / 10 > 20 ? iterations / 10 : 20 ));; esac
    (cd "$here" && "$bin/samael" --iterations "$n" --cert "$root/fixtures/keys/idp-a.crt.pem" "$f" 2>>"$here/target/samael-stderr.log") >> "$out"
    "$bin/ours-rsa" --iterations $(( n * 5 )) "$f" >> "$out"
    "$bin/ours-aws-lc-rs" --iterations $(( n * 5 )) "$f" >> "$out"
  done
done
cat "$out"
python3 "$here/../summary.py" "$out"
