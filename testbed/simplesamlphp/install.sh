#!/usr/bin/env bash
# Install the SimpleSAMLphp test IdP: PHP from Debian, and Debian's simplesamlphp
# package downloaded and unpacked (not installed: no Apache, nothing under /etc).
#
#   testbed/simplesamlphp/install.sh
#
# Idempotent: a second run only checks and prints "ok". Works on a fresh Debian 12.
# Env:
#   SSP_HOME   where the .deb and the unpacked tree go (default <repo>/target/simplesamlphp)
#
# Result: $SSP_HOME/root/usr/share/simplesamlphp (www/ is the web root) and
# $SSP_HOME/VERSION (the Debian package version).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SSP_HOME="${SSP_HOME:-$REPO/target/simplesamlphp}"

t0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "install.sh: $*" >&2; }

SUDO=()
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else SUDO=(false); fi
fi

# 1. Debian packages. php-cli, php-xml (dom, xmlreader, simplexml), php-mbstring are what
# SimpleSAMLphp 1.19 needs beyond PHP's built-in extensions (openssl, zlib, session, json,
# hash, pcre are compiled into Debian's php8.2-cli). php-curl and php-intl are not needed
# (curl is only for the riak store, intl is an optional speed-up). xmlsec1 is for
# login.py --self-test (signature checks); openssl for its signed-request case; python3
# runs login.py.
need=()
dpkg -s php-cli >/dev/null 2>&1 || need+=(php-cli)
dpkg -s php-xml >/dev/null 2>&1 || need+=(php-xml)
dpkg -s php-mbstring >/dev/null 2>&1 || need+=(php-mbstring)
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v python3 >/dev/null 2>&1 || need+=(python3)   # login.py (standard library only)

mkdir -p "$SSP_HOME"
apt_updated=0
apt_update() {
    if [ "$apt_updated" = 0 ]; then
        t=$(date +%s.%N)
        "${SUDO[@]}" apt-get update -qq >"$SSP_HOME/apt.log" 2>&1 || { cat "$SSP_HOME/apt.log" >&2; exit 1; }
        apt_updated=1
        log "apt-get update: $(elapsed "$t") s"
    fi
}

if [ "${#need[@]}" -gt 0 ]; then
    apt_update
    t=$(date +%s.%N)
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" \
        >"$SSP_HOME/apt.log" 2>&1 || { cat "$SSP_HOME/apt.log" >&2; exit 1; }
    log "apt-get install ${need[*]}: $(elapsed "$t") s"
else
    log "php-cli php-xml php-mbstring xmlsec1 openssl python3: already installed"
fi
php -r 'foreach (["dom","xmlreader","simplexml","mbstring","openssl","zlib","session","json","hash"] as $e) if (!extension_loaded($e)) { fwrite(STDERR, "missing PHP extension $e\n"); exit(1); }'
log "$(php -r 'echo "PHP ", PHP_VERSION;')"

# 2. Debian's simplesamlphp package, downloaded (apt-get download) and unpacked (dpkg-deb -x).
ROOT="$SSP_HOME/root"
MARK="$ROOT/usr/share/simplesamlphp/www/saml2/idp/SSOService.php"
if [ -f "$MARK" ] && [ -s "$SSP_HOME/VERSION" ]; then
    log "simplesamlphp $(cat "$SSP_HOME/VERSION"): already unpacked in $ROOT"
else
    mkdir -p "$SSP_HOME/cache"
    deb=$(ls "$SSP_HOME"/cache/simplesamlphp_*_all.deb 2>/dev/null | sort -V | tail -n1 || true)
    if [ -z "$deb" ]; then
        t=$(date +%s.%N)
        # apt-get download writes into the current directory. As root it warns that the
        # _apt sandbox user cannot write there; running unsandboxed is fine for a download.
        if ! (cd "$SSP_HOME/cache" && apt-get download -qq -o APT::Sandbox::User=root simplesamlphp >&2); then
            apt_update
            (cd "$SSP_HOME/cache" && apt-get download -qq -o APT::Sandbox::User=root simplesamlphp >&2)
        fi
        deb=$(ls "$SSP_HOME"/cache/simplesamlphp_*_all.deb | sort -V | tail -n1)
        log "apt-get download simplesamlphp: $(elapsed "$t") s ($(basename "$deb"))"
    fi
    t=$(date +%s.%N)
    rm -rf "$ROOT.partial" "$ROOT"
    mkdir -p "$ROOT.partial"
    dpkg-deb -x "$deb" "$ROOT.partial"
    mv "$ROOT.partial" "$ROOT"
    dpkg-deb -f "$deb" Version > "$SSP_HOME/VERSION"
    log "dpkg-deb -x: $(elapsed "$t") s -> $ROOT"
fi
test -f "$MARK"

log "simplesamlphp $(cat "$SSP_HOME/VERSION") ready; total $(elapsed "$t0") s"
echo "SSP_HOME=$SSP_HOME"
echo "SSP_VERSION=$(cat "$SSP_HOME/VERSION")"
