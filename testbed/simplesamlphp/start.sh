#!/usr/bin/env bash
# Start the SimpleSAMLphp test IdP on 127.0.0.1 with PHP's built-in web server.
#
#   testbed/simplesamlphp/start.sh            # picks a free port
#   SSP_PORT=8089 testbed/simplesamlphp/start.sh
#
# Run install.sh first. Renders config/ into a fresh run directory, starts
# `php -S 127.0.0.1:$SSP_PORT` in the background (stdin/stdout/stderr detached, so a
# caller reading our stdout to EOF does not wait for the server), waits (bounded by
# SSP_START_TIMEOUT seconds) until the IdP metadata URL answers 200, and exits 0.
# Exits non-zero, with the server log on stderr and the server stopped, otherwise.
#
# stdout: KEY=VALUE lines, also written to $SSP_RUN_DIR/env (sourceable):
#   SSP_PID SSP_PORT SSP_BASE_URL SSP_SSO_URL SSP_METADATA_URL SSP_IDP_ENTITY_ID
#   SSP_IDP_CERT SSP_ACS_BASE SSP_RUN_DIR SSP_VERSION
# Stop with: testbed/simplesamlphp/stop.sh "$SSP_RUN_DIR"   (or kill "$SSP_PID")
#
# Env (all optional):
#   SSP_PORT           port on 127.0.0.1 (default: a free one)
#   SSP_ACS_BASE       prefix of the SPs' ACS URLs (default http://127.0.0.1:18081);
#                      SP <mode> has ACS $SSP_ACS_BASE/saml/<mode>/acs
#   SSP_IDP_ENTITY_ID  (default urn:saml-sp:testbed:simplesamlphp)
#   SSP_IDP_KEY, SSP_IDP_CERT  IdP signing pair (default fixtures/keys/idp-a.{key,crt}.pem)
#   SSP_SP_CERT        cert of the signed-requests SP (default fixtures/keys/sp.crt.pem)
#   SSP_SP_ENC_CERT    encryption cert of the encrypted SP (default fixtures/keys/sp-enc.crt.pem)
#   SSP_HOME           as in install.sh (default <repo>/target/simplesamlphp)
#   SSP_RUN_DIR        run directory (default $SSP_HOME/run/$SSP_PORT; emptied first)
#   SSP_START_TIMEOUT  seconds to wait for the server (default 15)
#   SSP_LOG_LEVEL      ERR|WARNING|NOTICE|INFO|DEBUG (default INFO)
#   SSP_DEBUG_SAML     1 to log every SAML message in full (default 0)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SSP_HOME="${SSP_HOME:-$REPO/target/simplesamlphp}"
SSP_ROOT="$SSP_HOME/root/usr/share/simplesamlphp"
KEYS="$REPO/fixtures/keys"
log() { echo "start.sh: $*" >&2; }

if [ ! -f "$SSP_ROOT/www/saml2/idp/SSOService.php" ]; then
    log "SimpleSAMLphp not unpacked in $SSP_ROOT: run $HERE/install.sh first"
    exit 2
fi
command -v php >/dev/null || { log "php not found: run $HERE/install.sh first"; exit 2; }

if [ -z "${SSP_PORT:-}" ] || [ "${SSP_PORT}" = 0 ]; then
    # Ask the kernel for a free loopback port (there is a small race until php binds it).
    SSP_PORT=$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0", $no, $err) or exit(1);
        $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);')
fi
case "$SSP_PORT" in ''|*[!0-9]*) log "bad SSP_PORT: $SSP_PORT"; exit 2 ;; esac

BASE_URL="http://127.0.0.1:$SSP_PORT"
ACS_BASE="${SSP_ACS_BASE:-http://127.0.0.1:18081}"
ACS_BASE="${ACS_BASE%/}"
IDP_ENTITY_ID="${SSP_IDP_ENTITY_ID:-urn:saml-sp:testbed:simplesamlphp}"
IDP_KEY="${SSP_IDP_KEY:-$KEYS/idp-a.key.pem}"
IDP_CERT="${SSP_IDP_CERT:-$KEYS/idp-a.crt.pem}"
SP_CERT="${SSP_SP_CERT:-$KEYS/sp.crt.pem}"
SP_ENC_CERT="${SSP_SP_ENC_CERT:-$KEYS/sp-enc.crt.pem}"
RUN_DIR="${SSP_RUN_DIR:-$SSP_HOME/run/$SSP_PORT}"
TIMEOUT="${SSP_START_TIMEOUT:-15}"
LOG_LEVEL="${SSP_LOG_LEVEL:-INFO}"
case "${SSP_DEBUG_SAML:-0}" in 1|true|yes) DEBUG_SAML=true ;; *) DEBUG_SAML=false ;; esac
case "$LOG_LEVEL" in ERR|WARNING|NOTICE|INFO|DEBUG) ;; *) log "bad SSP_LOG_LEVEL: $LOG_LEVEL"; exit 2 ;; esac

for f in "$IDP_KEY" "$IDP_CERT" "$SP_CERT" "$SP_ENC_CERT"; do
    [ -r "$f" ] || { log "cannot read $f"; exit 2; }
done
IDP_KEY="$(cd "$(dirname "$IDP_KEY")" && pwd)/$(basename "$IDP_KEY")"
IDP_CERT="$(cd "$(dirname "$IDP_CERT")" && pwd)/$(basename "$IDP_CERT")"
SP_CERT="$(cd "$(dirname "$SP_CERT")" && pwd)/$(basename "$SP_CERT")"
SP_ENC_CERT="$(cd "$(dirname "$SP_ENC_CERT")" && pwd)/$(basename "$SP_ENC_CERT")"
mkdir -p "$RUN_DIR"
RUN_DIR="$(cd "$RUN_DIR" && pwd)"

if [ -f "$RUN_DIR/server.pid" ] && kill -0 "$(cat "$RUN_DIR/server.pid")" 2>/dev/null; then
    log "a server from $RUN_DIR is still running (PID $(cat "$RUN_DIR/server.pid")); stop it first"
    exit 2
fi

# Fresh run directory: rendered config, writable dirs, logs.
rm -rf "$RUN_DIR/config" "$RUN_DIR/tmp" "$RUN_DIR/data" "$RUN_DIR/log" "$RUN_DIR/sessions" \
       "$RUN_DIR/cert" "$RUN_DIR/server.log" "$RUN_DIR/env" "$RUN_DIR/server.pid"
mkdir -p "$RUN_DIR/config/metadata" "$RUN_DIR/tmp" "$RUN_DIR/data" "$RUN_DIR/log" \
         "$RUN_DIR/sessions" "$RUN_DIR/cert"

# Substitute @@NAME@@ placeholders. The values land inside single-quoted PHP strings:
# refuse quotes and backslashes rather than escape them.
export R_BASE_URL="$BASE_URL" R_RUN_DIR="$RUN_DIR" R_CONFIG_DIR="$RUN_DIR/config" \
       R_SSP_ROOT="$SSP_ROOT" R_IDP_ENTITY_ID="$IDP_ENTITY_ID" R_IDP_KEY="$IDP_KEY" \
       R_IDP_CERT="$IDP_CERT" R_SP_CERT="$SP_CERT" R_SP_ENC_CERT="$SP_ENC_CERT" R_ACS_BASE="$ACS_BASE" \
       R_LOG_LEVEL="$LOG_LEVEL" R_DEBUG_SAML="$DEBUG_SAML"
php -r '
    $vars = [];
    foreach (["BASE_URL","RUN_DIR","CONFIG_DIR","SSP_ROOT","IDP_ENTITY_ID","IDP_KEY","IDP_CERT",
              "SP_CERT","SP_ENC_CERT","ACS_BASE","LOG_LEVEL","DEBUG_SAML"] as $k) {
        $v = getenv("R_" . $k);
        if ($v === false || $v === "" || strpbrk($v, "\x27\\\\\n") !== false) {
            fwrite(STDERR, "start.sh: unusable value for $k: " . var_export($v, true) . "\n");
            exit(1);
        }
        $vars["@@" . $k . "@@"] = $v;
    }
    $vars["@@SECRET_SALT@@"] = bin2hex(random_bytes(16));
    $vars["@@ADMIN_PASSWORD@@"] = bin2hex(random_bytes(16));
    [$src, $dst] = [$argv[1], $argv[2]];
    foreach (["config.php", "authsources.php", "metadata/saml20-idp-hosted.php",
              "metadata/saml20-sp-remote.php"] as $f) {
        $out = strtr(file_get_contents("$src/$f"), $vars);
        if (preg_match("/@@[A-Z_]+@@/", $out, $m)) {
            fwrite(STDERR, "start.sh: unknown placeholder $m[0] in $f\n");
            exit(1);
        }
        file_put_contents("$dst/$f", $out);
    }
' "$HERE/config" "$RUN_DIR/config"
for f in "$RUN_DIR"/config/*.php "$RUN_DIR"/config/metadata/*.php; do
    php -l "$f" >/dev/null || { log "rendered $f does not parse"; exit 1; }
done

# Start the server, detached from our stdio (nohup, </dev/null, >server.log): sessions in
# the run dir, PHP errors to a log file rather than into the pages. php -S serves one
# request at a time, which is plenty for a scripted login (~20 ms each).
SIMPLESAMLPHP_CONFIG_DIR="$RUN_DIR/config" nohup php \
    -d session.save_path="$RUN_DIR/sessions" \
    -d display_errors=0 -d log_errors=1 -d error_log="$RUN_DIR/log/php-errors.log" \
    -S "127.0.0.1:$SSP_PORT" -t "$SSP_ROOT/www" \
    </dev/null >"$RUN_DIR/server.log" 2>&1 &
PID=$!
echo "$PID" > "$RUN_DIR/server.pid"

METADATA_URL="$BASE_URL/saml2/idp/metadata.php"
fail() {
    log "$1"
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    rm -f "$RUN_DIR/server.pid"
    { echo "--- $RUN_DIR/server.log"; tail -n 40 "$RUN_DIR/server.log" 2>/dev/null || true
      echo "--- $RUN_DIR/log/simplesamlphp.log"; tail -n 40 "$RUN_DIR/log/simplesamlphp.log" 2>/dev/null || true
      echo "--- $RUN_DIR/log/php-errors.log"; tail -n 40 "$RUN_DIR/log/php-errors.log" 2>/dev/null || true
    } >&2
    exit 1
}

# Wait for the metadata page to answer 200 (it loads the config, metadata and key).
t0=$(date +%s.%N)
deadline=$(( $(date +%s) + TIMEOUT ))
status=""
while :; do
    kill -0 "$PID" 2>/dev/null || fail "php -S exited early (port $SSP_PORT taken?)"
    # Only our own process's "Development Server (...) started" line proves that the
    # port is ours; otherwise another server on that port could answer the probe.
    if ! grep -q "Development Server (http://127.0.0.1:$SSP_PORT) started" "$RUN_DIR/server.log" 2>/dev/null; then
        [ "$(date +%s)" -ge "$deadline" ] && fail "php -S did not start listening within ${TIMEOUT}s"
        sleep 0.05
        continue
    fi
    status=$(php -r '
        $ctx = stream_context_create(["http" => ["timeout" => 2, "ignore_errors" => true]]);
        $body = @file_get_contents($argv[1], false, $ctx);
        if ($body === false) exit(1);
        preg_match("#^HTTP/\S+ (\d+)#", $http_response_header[0] ?? "", $m);
        echo ($m[1] ?? "?"), (strpos($body, "EntityDescriptor") !== false ? " md" : "");
    ' "$METADATA_URL" 2>/dev/null || true)
    [ "$status" = "200 md" ] && kill -0 "$PID" 2>/dev/null && break
    [ "$(date +%s)" -ge "$deadline" ] && fail "no IdP metadata at $METADATA_URL within ${TIMEOUT}s (last: ${status:-no answer})"
    sleep 0.1
done
ready=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
log "SimpleSAMLphp up on $BASE_URL (PID $PID) in ${ready}s; run dir $RUN_DIR"

{
    echo "SSP_PID=$PID"
    echo "SSP_PORT=$SSP_PORT"
    echo "SSP_BASE_URL=$BASE_URL"
    echo "SSP_SSO_URL=$BASE_URL/saml2/idp/SSOService.php"
    echo "SSP_METADATA_URL=$METADATA_URL"
    echo "SSP_IDP_ENTITY_ID=$IDP_ENTITY_ID"
    echo "SSP_IDP_CERT=$IDP_CERT"
    echo "SSP_ACS_BASE=$ACS_BASE"
    echo "SSP_RUN_DIR=$RUN_DIR"
    echo "SSP_VERSION=$(cat "$SSP_HOME/VERSION" 2>/dev/null || echo unknown)"
} > "$RUN_DIR/env"
cat "$RUN_DIR/env"
