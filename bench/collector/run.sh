#!/usr/bin/env bash
# Load test of the event collector: wrk posts batches to `polku serve` for DURATION, then the
# collector is stopped (which folds the spool into Parquet) and `polku stats` must count
# exactly the events that were acknowledged.
#
#   bench/collector/run.sh [DURATION=30s] [CONNECTIONS=32] [BATCH=100]
#
# Needs wrk (Debian: apt-get install wrk) and a release build of the collector: by default the
# collector-only example (cargo build --release -p polku-server --example collect), which runs
# the code of `polku serve` and also makes the key and counts the stored events like
# `polku key add` and `polku stats`; or SERVER="$POLKU serve --addr" with POLKU a polku binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
polku="${POLKU:-$root/target/release/polku}"
[ -x "$polku" ] || polku="$root/target/debug/polku"
server_cmd="${SERVER:-$root/target/release/examples/collect}"
duration="${1:-30s}"
connections="${2:-32}"
export BATCH="${3:-100}"
addr="127.0.0.1:${PORT:-18080}"

ws="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$ws"' EXIT
printf 'name: Load test\nstages: []\n' > "$ws/polku.yaml"
export POLKU_WORKSPACE="$ws"
if [ -n "${SERVER:-}" ]; then
  export KEY="$("$polku" -w "$ws" key add --name load 2>/dev/null)"
else
  export KEY="$("$server_cmd" "$ws" key)"
fi

if [ -n "${SERVER:-}" ]; then
  $server_cmd "$addr" 2> "$ws/serve.log" &
else
  "$server_cmd" "$ws" "$addr" 2> "$ws/serve.log" &
fi
server=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://$addr/snippet" && break
  sleep 0.1
done

wrk -t2 -c"$connections" -d"$duration" --latency -s "$here/batch.lua" "http://$addr" | tee "$ws/wrk.txt"

kill -TERM "$server"
wait "$server"
acked="$(awk '/^acknowledged_events/ {print $2}' "$ws/wrk.txt")"
if [ -n "${SERVER:-}" ]; then
  stored="$("$polku" -w "$ws" stats --format json | sed -E 's/^\{"events":([0-9]+).*/\1/')"
else
  stored="$("$server_cmd" "$ws" events)"
fi
inflight=$((connections * BATCH))
echo "acknowledged events: $acked"
echo "stored events:       $stored"
# wrk stops with up to one request per connection in flight: those may be stored without
# their answer being counted, so the store may hold up to CONNECTIONS x BATCH more.
if [ "$stored" -ge "$acked" ] && [ "$stored" -le $((acked + inflight)) ]; then
  echo "zero loss: every acknowledged event is stored ($((stored - acked)) more from requests in flight at the end)"
else
  echo "MISMATCH: stored must lie between $acked and $((acked + inflight))" >&2
  exit 1
fi
