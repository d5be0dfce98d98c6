#!/usr/bin/env bash
# Does the dashboard slow the hot path? The same cache-hit load (wrk, loopback, bounded) with
# the dashboard disabled, enabled but closed (the default), and open (a live SSE client
# connected, so hook events are recorded too).
#
#   EDGESIM_BIN=target/release/edgesim benches/load/dashboard.sh
#   CASE=cache-hit-functions ROUNDS=3 benches/load/dashboard.sh   # interleaved rounds
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-50}
CASE=${CASE:-cache-hit}
ROUNDS=${ROUNDS:-1}
BIN=${EDGESIM_BIN:-target/release/edgesim}
PORT=18080
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's#\.\./\.\./#'"$PWD"'/#g' "benches/load/$CASE.toml" > "$tmp/on.toml"
{ cat "$tmp/on.toml"; printf '\n[dashboard]\nenabled = false\n'; } > "$tmp/off.toml"

run() {
    local label=$1 config=$2 open=$3
    "$BIN" serve --config "$config" --quiet --no-watch >/dev/null &
    local pid=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/index.html" && break
        sleep 0.1
    done
    local sse=
    if [ "$open" = yes ]; then
        curl -s -N "http://127.0.0.1:$PORT/_edgesim/api/events" >/dev/null &
        sse=$!
        sleep 0.3
    fi
    printf '%-28s ' "$label"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PORT/index.html" |
        awk '/Requests\/sec/ {rps=$2} /Latency/ {lat=$2} END {printf "%10s req/s  avg latency %s\n", rps, lat}'
    [ -n "$sse" ] && kill "$sse" 2>/dev/null || true
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
}

for _ in $(seq 1 "$ROUNDS"); do
    run "$CASE, dashboard disabled" "$tmp/off.toml" no
    run "$CASE, dashboard closed" "$tmp/on.toml" no
    run "$CASE, dashboard open (SSE)" "$tmp/on.toml" yes
done
