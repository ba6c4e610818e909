#!/usr/bin/env bash
# Stop a SimpleSAMLphp test IdP started by start.sh, by the PID it recorded.
#
#   testbed/simplesamlphp/stop.sh RUN_DIR     # the SSP_RUN_DIR start.sh printed
#   SSP_RUN_DIR=... testbed/simplesamlphp/stop.sh
#
# SIGTERM, then SIGKILL after 3 s. php -S takes about 1.5 s to act on SIGTERM; it keeps
# no state worth a clean shutdown, so a caller in a hurry may SIGKILL the PID itself.
# Only the recorded PID is signalled, and only if it still is a `php -S 127.0.0.1:...`
# process. Exits 0 if nothing is left running.
set -euo pipefail

RUN_DIR="${1:-${SSP_RUN_DIR:-}}"
log() { echo "stop.sh: $*" >&2; }
if [ -z "$RUN_DIR" ]; then
    log "usage: stop.sh RUN_DIR (or set SSP_RUN_DIR)"
    exit 2
fi
PIDFILE="$RUN_DIR/server.pid"
if [ ! -f "$PIDFILE" ]; then
    log "no $PIDFILE: nothing to stop"
    exit 0
fi
PID="$(cat "$PIDFILE")"
case "$PID" in ''|*[!0-9]*) log "bad PID in $PIDFILE"; exit 2 ;; esac

if ! kill -0 "$PID" 2>/dev/null; then
    log "PID $PID already gone"
    rm -f "$PIDFILE"
    exit 0
fi
# Guard against a recycled PID: it must be our php built-in server.
if [ -r "/proc/$PID/cmdline" ] && ! tr '\0' ' ' < "/proc/$PID/cmdline" | grep -q -- '-S 127.0.0.1:'; then
    log "PID $PID is not a php -S 127.0.0.1 server any more; not killing it"
    rm -f "$PIDFILE"
    exit 0
fi

kill -TERM "$PID" 2>/dev/null || true
for _ in $(seq 60); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
done
if kill -0 "$PID" 2>/dev/null; then
    log "PID $PID still there 3 s after SIGTERM; SIGKILL"
    kill -KILL "$PID" 2>/dev/null || true
    sleep 0.2
fi
if kill -0 "$PID" 2>/dev/null && [ "$(ps -o stat= -p "$PID" 2>/dev/null | cut -c1)" != Z ]; then
    log "PID $PID still running"
    exit 1
fi
rm -f "$PIDFILE"
log "stopped PID $PID"
