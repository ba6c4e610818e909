#!/usr/bin/env bash
# install.sh + start.sh + login.py --self-test + stop.sh, with timings. The server is
# stopped (by PID) however the self-test ends. Exit status: the self-test's.
#
#   testbed/simplesamlphp/selftest.sh
#
# Env: as start.sh (SSP_PORT, SSP_HOME, ...). SSP_SKIP_INSTALL=1 skips install.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

t=$(now)
if [ "${SSP_SKIP_INSTALL:-0}" != 1 ]; then
    "$HERE/install.sh" >/dev/null
    echo "selftest.sh: install.sh $(secs "$t") s" >&2
fi

t=$(now)
envfile=$(mktemp)
trap 'rm -f "$envfile"' EXIT
"$HERE/start.sh" > "$envfile"
echo "selftest.sh: start.sh $(secs "$t") s" >&2
set -a
# shellcheck disable=SC1090
. "$envfile"
set +a
trap '"$HERE/stop.sh" "$SSP_RUN_DIR" || true; rm -f "$envfile"' EXIT

t=$(now)
rc=0
timeout 120 python3 "$HERE/login.py" --self-test || rc=$?
echo "selftest.sh: login.py --self-test $(secs "$t") s (exit $rc)" >&2

t=$(now)
"$HERE/stop.sh" "$SSP_RUN_DIR"
trap 'rm -f "$envfile"' EXIT
echo "selftest.sh: stop.sh $(secs "$t") s" >&2
exit "$rc"
