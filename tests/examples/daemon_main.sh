#!/usr/bin/env bash
# The `daemon_main!` example stops cleanly on SIGTERM: once it handles the
# signal (its SigCgt mask shows SIGTERM caught, so the signal cannot kill
# it outright), a SIGTERM must reach the daemon as `Shutdown` and the
# program must exit 0 within its grace period.
# Usage: daemon_main.sh <path to the built meshos_daemon example>
set -euo pipefail
bin=$1
out=$(mktemp)
trap 'rm -f "$out"; kill -9 "$pid" 2>/dev/null || true' EXIT

"$bin" >"$out" 2>&1 &
pid=$!

sigterm_caught() {
  local mask
  mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || return 1
  [ -n "$mask" ] && (( (0x$mask >> 14) & 1 ))   # SIGTERM is signal 15: bit 14
}
for _ in $(seq 1 500); do sigterm_caught && break; sleep 0.01; done
sigterm_caught || { echo "FAIL: the example never handled SIGTERM"; cat "$out"; exit 1; }

kill -TERM "$pid"
for _ in $(seq 1 1000); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
if kill -0 "$pid" 2>/dev/null; then echo "FAIL: still running 10 s after SIGTERM"; cat "$out"; exit 1; fi
status=0; wait "$pid" || status=$?
cat "$out"
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status"; exit 1; }
grep -q "^telemetry: Shutdown$" "$out" || { echo "FAIL: the daemon never saw Shutdown"; exit 1; }
echo "ok: daemon_main! shut down on SIGTERM"
