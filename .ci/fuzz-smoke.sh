#!/usr/bin/env bash
# Bounded fuzz smoke run for CI: every cargo-fuzz target of fuzz/ for
# FUZZ_SECONDS seconds (default 20), starting from its committed seeds.
#
#   bash .ci/fuzz-smoke.sh                 # all targets, 20 s each
#   FUZZ_SECONDS=60 bash .ci/fuzz-smoke.sh # longer
#   bash .ci/fuzz-smoke.sh xml_parse       # only the named targets
#   FUZZ_AWS_LC=1 bash .ci/fuzz-smoke.sh   # and rsa_verify_diff against AWS-LC
#
# With FUZZ_AWS_LC=1, rsa_verify_diff runs a second time, built with the fuzz
# crate's feature aws-lc-rs, so that AWS-LC's verdicts are compared too. Off
# by default (CI): that build (AWS-LC's C code, with a sanitizer-instrumented
# saml-sp) costs about 1.5 min of CPU, more than all the 15 s runs together;
# CI still compares AWS-LC with ours on every Wycheproof vector in
# `cargo test --all-features`.
#
# Exits non-zero if any target crashes (panic, failed assert, sanitizer
# report, timeout or out-of-memory). The crashing input is kept under
# fuzz/artifacts/<target>/ and printed as hex below, because CI's clone is
# thrown away: turn it into a named test in tests/fuzz_regressions.rs.
#
# Toolchain: cargo-fuzz passes nightly-only flags (-Zsanitizer=address, ...).
# The machines have only a stable toolchain, so RUSTC_BOOTSTRAP=1 lets stable
# rustc accept them. See fuzz/README.md.
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
# Slowest single input allowed, in seconds, before libFuzzer calls it a hang.
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root/fuzz"
export RUSTC_BOOTSTRAP=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

started=$(date +%s)
stamp() { echo "[fuzz-smoke +$(($(date +%s) - started))s] $*"; }

if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    stamp "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi
[ "${#targets[@]}" -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }

# One build for every target (release, debug assertions, AddressSanitizer).
stamp "building ${targets[*]}"
cargo fuzz build

failed=()
runs=0
# fuzz_one TARGET LABEL [cargo fuzz run options]: one bounded run.
fuzz_one() {
    local target=$1 label=$2
    shift 2
    mkdir -p "corpus/$target" "artifacts/$target"
    local inputs=("corpus/$target")
    [ -d "seeds/$target" ] && inputs+=("seeds/$target")
    local dict="xml.dict"
    [ -f "$target.dict" ] && dict="$target.dict"
    local before
    before=$(find "artifacts/$target" -type f | sort)
    stamp "fuzzing $label for ${FUZZ_SECONDS}s"
    local log
    log=$(mktemp)
    if cargo fuzz run "$@" "$target" "${inputs[@]}" -- \
        -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" \
        -dict="$dict" -print_final_stats=1 >"$log" 2>&1; then
        # The summary: coverage, corpus, executions and their rate.
        grep -E '^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec' "$log" || true
    else
        # What failed (panic message or sanitizer report), then how it ended.
        grep -E -A3 'panicked at|==[0-9]+==ERROR|^SUMMARY|ERROR: libFuzzer' "$log" | head -n 40 || true
        echo "..."
        grep -v -E '^[[:space:]]+([0-9]+: |at )' "$log" | tail -n 25
        failed+=("$label")
        while IFS= read -r artifact; do
            [ -n "$artifact" ] || continue
            echo "---- $artifact ($(wc -c <"$artifact") bytes, hex):"
            od -An -tx1 -v "$artifact" | head -n 64
        done < <(comm -13 <(echo "$before") <(find "artifacts/$target" -type f | sort))
    fi
    rm -f "$log"
    runs=$((runs + 1))
}

for target in "${targets[@]}"; do
    fuzz_one "$target" "$target"
done

# The AWS-LC round last: its build replaces the rsa_verify_diff binary.
if [ "${FUZZ_AWS_LC:-0}" = 1 ] && printf '%s\n' "${targets[@]}" | grep -qx rsa_verify_diff; then
    stamp "building rsa_verify_diff with --features aws-lc-rs"
    cargo fuzz build --features aws-lc-rs rsa_verify_diff
    fuzz_one rsa_verify_diff "rsa_verify_diff+aws-lc-rs" --features aws-lc-rs
fi

stamp "done"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz smoke FAILED: ${failed[*]} (reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run [--features aws-lc-rs] <target> artifacts/<target>/<file>)" >&2
    exit 1
fi
echo "fuzz smoke passed: ${#targets[@]} targets, $runs runs of ${FUZZ_SECONDS}s"
