#!/usr/bin/env bash
# `edgesim serve` side by side with what a user would otherwise run, on the same origin doing
# the same work (issue 9): nginx serving the page, nginx proxy_pass, nginx + njs running the
# CloudFront Functions of compare/njs/cf-handlers.mjs on both viewer phases, and the
# serverless-offline-edge-lambda plugin running compare/sls-edge/handlers.js.
#
#   benches/load/compare.sh                      # 3 interleaved rounds of 5 s per case
#   ROUNDS=5 DURATION=10s benches/load/compare.sh
#   EDGESIM_BIN=target/release/edgesim benches/load/compare.sh   # skip the release build
#   NO_WRITE=1 benches/load/compare.sh           # print only, leave docs/PERFORMANCE.md alone
#
# Everything listens on 127.0.0.1 only (ports 8081-8084 for the anchors, 18090-18093 for
# edgesim) and every run is bounded (wrk -d). It installs what is missing: nginx-light,
# libnginx-mod-http-js and wrk (apt-get), the plugin (npm, into the run directory). Cases run
# round-robin, so a busy moment of the machine hits every case alike; the table shows the
# median req/s of the rounds and the ratios, then single-connection p50 latencies. Only ratios
# from one run mean anything. The table, the machine and the rerun command are written into
# docs/PERFORMANCE.md between the compare.sh markers.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
HERE=$ROOT/benches/load/compare

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
export ANCHOR_RUN=${ANCHOR_RUN:-/tmp/edgesim-compare}   # the plugin is npm-installed here once
RESULTS=$ANCHOR_RUN/results-$$
mkdir -p "$RESULTS"

# --- what the comparison needs --------------------------------------------------------------
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need_apt=()
command -v nginx >/dev/null || need_apt+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_http_js_module.so ] || need_apt+=(libnginx-mod-http-js)
command -v wrk >/dev/null || need_apt+=(wrk)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
command -v curl >/dev/null || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

BIN=${EDGESIM_BIN:-}
if [ -z "$BIN" ]; then
    cargo build --release --quiet
    BIN=$ROOT/target/release/edgesim
fi

# --- servers ----------------------------------------------------------------------------------
EDGESIM_PIDS=()
cleanup() {
    for pid in "${EDGESIM_PIDS[@]}"; do
        kill -INT "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    "$HERE/servers.sh" stop origin proxy njs sls >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$HERE/servers.sh" start origin proxy njs sls >&2

start_edgesim() {
    local config=$1 port=$2
    "$BIN" serve --quiet --config "$HERE/edgesim/$config.toml" >/dev/null 2>"$ANCHOR_RUN/edgesim-$config.log" &
    EDGESIM_PIDS+=($!)
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "http://127.0.0.1:$port/index.html" && return 0
        sleep 0.1
    done
    echo "edgesim $config did not start:" >&2
    cat "$ANCHOR_RUN/edgesim-$config.log" >&2
    exit 1
}
start_edgesim pass-through 18090
start_edgesim functions 18091
start_edgesim cache-hit 18092
start_edgesim lambda-node 18093

# name | URL | what it is. Function cases ask for `/`: only a viewer-request handler that rewrote
# it to /index.html gets a 200 from the origin (which answers 404 for `/`).
CASES=(
    "origin|http://127.0.0.1:8081/index.html|nginx serving the file (the origin)"
    "proxy|http://127.0.0.1:8082/index.html|nginx proxy_pass"
    "pass-through|http://127.0.0.1:18090/index.html|\`serve\` pass-through"
    "njs|http://127.0.0.1:8083/|nginx + njs, both viewer phases"
    "functions|http://127.0.0.1:18091/|\`serve\` + CloudFront Functions on both viewer hooks"
    "cache-hit|http://127.0.0.1:18092/index.html|\`serve\` cache hits"
    "sls|http://127.0.0.1:8084/|serverless-offline-edge-lambda, Node viewer-request"
    "lambda-node|http://127.0.0.1:18093/|\`serve\` + Node origin-request"
)
field() { echo "$1" | cut -d'|' -f"$2"; }

# Every case must answer 200 before it is measured (and the function cases must show the
# viewer-response headers), so a broken case cannot pass as a fast one.
for c in "${CASES[@]}"; do
    name=$(field "$c" 1) url=$(field "$c" 2)
    headers=$(curl -s -D - -o /dev/null "$url")
    echo "$headers" | head -1 | grep -q " 200" || { echo "$name: $url did not answer 200:" >&2; echo "$headers" >&2; exit 1; }
    case $name in
        njs|functions) echo "$headers" | grep -qi "^x-content-type-options: nosniff" \
            || { echo "$name: the viewer-response handler did not run" >&2; exit 1; } ;;
    esac
done
curl -s -o /dev/null http://127.0.0.1:18092/index.html   # fill the cache

# --- throughput, interleaved ------------------------------------------------------------------
for round in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        name=$(field "$c" 1) url=$(field "$c" 2)
        rps=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$url" \
            | awk '/Requests\/sec/ { print $2 }')
        echo "$rps" >> "$RESULTS/$name"
        echo "round $round/$ROUNDS  $name  $rps req/s" >&2
    done
done

median() { sort -g "$RESULTS/$1" | awk '{ v[NR] = $1 } END { printf "%.0f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
thousands() { printf "%'d" "$1" 2>/dev/null || echo "$1"; }

declare -A RPS
for c in "${CASES[@]}"; do
    name=$(field "$c" 1)
    RPS[$name]=$(median "$name")
done

# --- single connection ------------------------------------------------------------------------
p50_us() {
    wrk -t1 -c1 -d"$DURATION" --latency "$1" | awk '$1 == "50%" {
        v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
        if (unit == "ms") v *= 1000; else if (unit == "s") v *= 1000000;
        printf "%.0f", v }'
}
declare -A P50
for name in proxy pass-through njs functions; do
    for c in "${CASES[@]}"; do
        [ "$(field "$c" 1)" = "$name" ] && P50[$name]=$(p50_us "$(field "$c" 2)")
    done
done

# --- the table --------------------------------------------------------------------------------
note() {
    case $1 in
        pass-through) echo "**$(ratio "${RPS[pass-through]}" "${RPS[proxy]}")×** nginx proxy_pass" ;;
        functions) echo "**$(ratio "${RPS[functions]}" "${RPS[njs]}")×** njs" ;;
        cache-hit) echo "$(ratio "${RPS[cache-hit]}" "${RPS[origin]}")× the origin, $(ratio "${RPS[cache-hit]}" "${RPS[proxy]}")× proxy_pass" ;;
        lambda-node) echo "**$(ratio "${RPS[lambda-node]}" "${RPS[sls]}")×** the plugin" ;;
        *) echo "" ;;
    esac
}
RERUN="ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS benches/load/compare.sh"
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') at $(git rev-parse --short HEAD 2>/dev/null || echo '?'),"
    echo "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr),"
    echo "nginx $(nginx -v 2>&1 | sed 's#.*/##'), node $(node --version), release build."
    echo "\`wrk -t$THREADS -c$CONNECTIONS -d$DURATION\`, $ROUNDS interleaved rounds, medians. Rerun: \`$RERUN\`"
    echo
    echo "| Case | req/s | Ratio |"
    echo "|---|---:|---|"
    for c in "${CASES[@]}"; do
        name=$(field "$c" 1) label=$(field "$c" 3)
        echo "| $label | $(thousands "${RPS[$name]}") | $(note "$name") |"
    done
    echo
    echo "Single connection (\`wrk -t1 -c1 -d$DURATION --latency\`, p50):"
    echo "- pass-through: ${P50[pass-through]} µs against nginx proxy_pass's ${P50[proxy]} µs;"
    echo "- with the functions: ${P50[functions]} µs against njs's ${P50[njs]} µs."
} > "$RESULTS/table.md"

cat "$RESULTS/table.md"

if [ -z "${NO_WRITE:-}" ]; then
    doc=$ROOT/docs/PERFORMANCE.md
    begin="<!-- compare.sh:begin -->" end="<!-- compare.sh:end -->"
    if ! grep -q "$begin" "$doc"; then
        printf '\n## serve against nginx, njs and serverless-offline (benches/load/compare.sh)\n\n%s\n%s\n' "$begin" "$end" >> "$doc"
    fi
    awk -v begin="$begin" -v end="$end" -v table="$RESULTS/table.md" '
        $0 == begin { print; while ((getline line < table) > 0) print line; skip = 1; next }
        $0 == end { skip = 0 }
        !skip { print }' "$doc" > "$doc.new" && mv "$doc.new" "$doc"
    echo "written to docs/PERFORMANCE.md" >&2
fi
