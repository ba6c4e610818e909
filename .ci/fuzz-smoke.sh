#!/usr/bin/env bash
# Bounded fuzz smoke run for CI: every cargo-fuzz target of fuzz/ for
# FUZZ_SECONDS seconds (default 20), starting from its committed seeds.
#
#   bash .ci/fuzz-smoke.sh                 # all targets, 20 s each
#   FUZZ_SECONDS=60 bash .ci/fuzz-smoke.sh # longer
#   bash .ci/fuzz-smoke.sh xml_parse       # only the named targets
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
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    inputs=("corpus/$target")
    [ -d "seeds/$target" ] && inputs+=("seeds/$target")
    dict="xml.dict"
    [ -f "$target.dict" ] && dict="$target.dict"
    before=$(find "artifacts/$target" -type f | sort)
    stamp "fuzzing $target for ${FUZZ_SECONDS}s"
    log=$(mktemp)
    if cargo fuzz run "$target" "${inputs[@]}" -- \
        -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" \
        -dict="$dict" -print_final_stats=1 >"$log" 2>&1; then
        # The summary: coverage, corpus, executions and their rate.
        grep -E '^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec' "$log" || true
    else
        # What failed (panic message or sanitizer report), then how it ended.
        grep -E -A3 'panicked at|==[0-9]+==ERROR|^SUMMARY|ERROR: libFuzzer' "$log" | head -n 40 || true
        echo "..."
        grep -v -E '^[[:space:]]+([0-9]+: |at )' "$log" | tail -n 25
        failed+=("$target")
        while IFS= read -r artifact; do
            [ -n "$artifact" ] || continue
            echo "---- $artifact ($(wc -c <"$artifact") bytes, hex):"
            od -An -tx1 -v "$artifact" | head -n 64
        done < <(comm -13 <(echo "$before") <(find "artifacts/$target" -type f | sort))
    fi
    rm -f "$log"
done

stamp "done"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz smoke FAILED: ${failed[*]} (reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run <target> artifacts/<target>/<file>)" >&2
    exit 1
fi
echo "fuzz smoke passed: ${#targets[@]} targets, ${FUZZ_SECONDS}s each"
