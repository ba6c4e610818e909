#!/usr/bin/env bash
# One command: install Chromium + chromedriver and the SimpleSAMLphp IdP (each
# only if missing), then `webdriver.py --self-test`: a real headless browser
# logs alice in at the IdP and lands on a stub ACS with the SAMLResponse.
# Screenshots and the captured Response go to target/browser/.
#
#   testbed/browser/selftest.sh
#
# Env: BROWSER_SKIP_INSTALL=1 skips both install scripts; BROWSER_TIMEOUT
# (per wait, default 15 s). The whole self-test is cut at 180 s.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

if [ "${BROWSER_SKIP_INSTALL:-0}" != 1 ]; then
    t=$(now)
    "$HERE/install.sh" >/dev/null
    "$REPO/testbed/simplesamlphp/install.sh" >/dev/null
    echo "selftest.sh: install scripts $(secs "$t") s" >&2
fi

t=$(now)
rc=0
timeout -k 5 180 python3 "$HERE/webdriver.py" --timeout "${BROWSER_TIMEOUT:-15}" \
    --artifacts "$REPO/target/browser" --self-test || rc=$?
echo "selftest.sh: webdriver.py --self-test $(secs "$t") s (exit $rc)" >&2
exit "$rc"
