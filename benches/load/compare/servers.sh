#!/usr/bin/env bash
# Reference servers for side-by-side load comparisons, all on 127.0.0.1 (copied from the
# team's anchor-bench so the repository stands alone; benches/load/compare.sh drives them):
#   origin  8081  nginx serving www/index.html (1024 bytes; `/` answers 404, so a 200 for `/`
#                 through a proxy proves a viewer-request handler rewrote it)
#   proxy   8082  nginx proxy_pass to the origin (upstream keep-alive 64)
#   njs     8083  nginx + njs doing the CloudFront Functions work of njs/cf-handlers.mjs on both
#                 viewer phases, with a full CloudFront event object built per phase (njs/cf.js)
#   sls     8084  serverless-offline-edge-lambda (Serverless Framework 3) running
#                 sls-edge/handlers.js as a Node viewer-request Lambda@Edge, origin = 8081
#
#   servers.sh start [origin proxy njs sls]   (default: origin proxy njs)
#   servers.sh stop  [origin proxy njs sls]   (stops only what this script started, by PID)
# Needs: apt-get install -y nginx-light libnginx-mod-http-js wrk; for sls: node + npm (the
# first `start sls` runs `npm install` into the run directory).
# ANCHOR_RUN (default /tmp/edgesim-anchor-run) holds configs, PIDs, logs; NGINX_WORKERS
# (default auto) sets worker_processes for the nginx instances.
set -euo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)"
RUN="${ANCHOR_RUN:-/tmp/edgesim-anchor-run}"
WORKERS="${NGINX_WORKERS:-auto}"
mkdir -p "$RUN/tmp"
cmd="${1:-}"; shift || true
names=("$@"); [ ${#names[@]} -eq 0 ] && names=(origin proxy njs)

port_of() { case "$1" in origin) echo 8081;; proxy) echo 8082;; njs) echo 8083;; sls) echo 8084;; esac; }

wait_port() {
  for _ in $(seq 1 1500); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.02
  done
  echo "port $1 did not open" >&2; return 1
}

start_one() {
  local n="$1"
  case "$n" in
    origin|proxy|njs)
      sed -e "s#@WORKERS@#$WORKERS#g" -e "s#@ROOT@#$DIR#g" -e "s#@RUN@#$RUN#g" \
        "$DIR/conf/$n.conf.in" > "$RUN/$n.conf"
      nginx -t -q -c "$RUN/$n.conf" -p "$RUN/"
      nginx -c "$RUN/$n.conf" -p "$RUN/" ;;
    sls)
      if [ ! -d "$RUN/sls-edge/node_modules" ]; then
        mkdir -p "$RUN/sls-edge" && cp "$DIR"/sls-edge/* "$RUN/sls-edge/"
        (cd "$RUN/sls-edge" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
      fi
      ( cd "$RUN/sls-edge" || exit 1
        SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
          SLS_DEPRECATION_DISABLE='*' AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
          NODE_OPTIONS="-r $RUN/sls-edge/loopback-only.js" \
          nohup node node_modules/serverless/bin/serverless.js offline start --port 8084 \
            --cacheDir "$RUN/sls-cache" --fileDir "$RUN/sls-files" \
            > "$RUN/sls.log" 2>&1 &
        echo $! > "$RUN/sls.pid" ) ;;
    *) echo "unknown server $n" >&2; return 2 ;;
  esac
  wait_port "$(port_of "$n")"
  echo "started $n on 127.0.0.1:$(port_of "$n") pid $(cat "$RUN/$n.pid")"
}

stop_one() {
  local n="$1" f="$RUN/$1.pid"
  if [ -s "$f" ]; then
    local pid; pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; echo "stopped $n (pid $pid)"; fi
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    [ "$n" = sls ] && rm -f "$f"
  fi
  return 0
}

case "$cmd" in
  start) for n in "${names[@]}"; do start_one "$n"; done ;;
  stop)  for n in "${names[@]}"; do stop_one "$n"; done ;;
  *) echo "usage: $0 start|stop [origin proxy njs sls]" >&2; exit 2 ;;
esac
