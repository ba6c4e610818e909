#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver (Debian packages `chromium` and
# `chromium-driver`) if missing. Idempotent: a second run only checks.
# Needs root (or passwordless sudo) for apt-get. Prints timings on stderr and
# the versions on stdout.
set -euo pipefail

t0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# Chromium does not depend on any font; without one, screenshots show boxes.
[ -n "$(fc-list 2>/dev/null | head -n 1)" ] || need+=(fonts-dejavu-core)

if [ "${#need[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  t=$(date +%s.%N)
  "${sudo[@]}" apt-get update -qq
  echo "install.sh: apt-get update $(elapsed "$t") s" >&2
  t=$(date +%s.%N)
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "install.sh: apt-get install ${need[*]} $(elapsed "$t") s" >&2
fi

echo "CHROMIUM_VERSION=$(chromium --version 2>/dev/null | tr -d '\n')"
echo "CHROMEDRIVER_VERSION=$(chromedriver --version 2>/dev/null | tr -d '\n')"
echo "install.sh: total $(elapsed "$t0") s" >&2
