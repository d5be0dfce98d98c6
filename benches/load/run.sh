#!/usr/bin/env bash
# Load benchmark of `edgesim serve` with wrk. Loopback only (127.0.0.1); every run is bounded
# (-d, default 5 s) and the server is stopped after each case.
#
#   benches/load/run.sh                # all cases
#   DURATION=10s benches/load/run.sh   # longer runs
#   benches/load/run.sh functions      # one case
#
# Cases (configs beside this script):
#   origin-only          (a) the mock origin served directly (mock.listen), no CloudFront
#   pass-through         (b) proxy, no functions, caching disabled
#   functions            (c) proxy, CFF on viewer-request and viewer-response, caching disabled
#   functions-empty      (c0) as (c) with functions that return their input unchanged
#   cache-hit            (d) proxy, every request a cache hit, no functions
#   cache-hit-functions  (e) cache hits with CFF on both viewer events
#   lambda-node          (f) pass-through plus a Node.js Lambda@Edge origin-request hook
#   lambda-python        (g) pass-through plus a Python Lambda@Edge origin-request hook
#   cache-hit-policies   (h) cache hits through a cache policy (header, cookie, query key),
#                            an origin request policy, a response headers policy and
#                            compression (Brotli copies: wrk sends Accept-Encoding: gzip, br)
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
URL_PATH=${URL_PATH:-/index.html}

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
# EDGESIM_BIN=path/to/edgesim skips the build (e.g. to measure an existing binary).
BIN=${EDGESIM_BIN:-}
if [ -z "$BIN" ]; then
    cargo build --release --quiet
    BIN=target/release/edgesim
fi

run_case() {
    local name=$1 port=$2
    local headers=()
    [ "$name" = cache-hit-policies ] &&
        headers=(-H 'Accept-Encoding: gzip, br' -H 'X-Tenant: t1' -H 'Cookie: session=abc; other=1' -H 'Origin: https://app.example')
    "$BIN" serve --config "benches/load/$name.toml" --quiet >/dev/null &
    local pid=$!
    # Wait (bounded) until the listener answers.
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "${headers[@]}" "http://127.0.0.1:$port$URL_PATH" && break
        sleep 0.1
    done
    echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency ${headers[*]} http://127.0.0.1:$port$URL_PATH"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${headers[@]}" "http://127.0.0.1:$port$URL_PATH" \
        | grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors'
    kill -INT "$pid"
    wait "$pid" || true
}

cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(origin-only pass-through functions functions-empty cache-hit cache-hit-functions lambda-node lambda-python cache-hit-policies)
for case in "${cases[@]}"; do
    case $case in
        origin-only) run_case origin-only 18081 ;;
        *) run_case "$case" 18080 ;;
    esac
done
