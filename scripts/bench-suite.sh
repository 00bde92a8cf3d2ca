#!/usr/bin/env bash
# Measures the hub with Hub.Bench at the seed's three points, on this machine:
#   1,000 / 5,000 / 10,000 subscribers on one instance (each run: connect, idle memory, then broadcasting),
#   10,000 subscribers at 15 NOTIFY/s (the 150,000 deliveries/s target),
#   and 10,000 subscribers over 2 instances behind nginx with Redis (when this build has Hub:Redis).
# Results go to bench-results/<UTC time>/: results.jsonl (one JSON line per run), summary.md, an SVG per run.
# Usage: scripts/bench-suite.sh [single|scaled|all]   (DURATION: seconds of publishing per run, default 15)
# Runs are short on purpose; on a shared machine, compare the load averages recorded with each run.
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-all}"
duration="${DURATION:-15}"
scripts/install-deps.sh
dotnet build Hub.Bench -c Release -nologo -v q >/dev/null
bench=(dotnet Hub.Bench/bin/Release/net10.0/Hub.Bench.dll)
out="bench-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

run() {
  local label=$1
  shift
  echo "== $label: ${*}"
  # A run that loses messages exits 1; the suite records it and goes on.
  "${bench[@]}" --label "$label" --duration "$duration" --plot "$out/$label.svg" "$@" | tee "$out/$label.txt" || true
  grep '^RESULT ' "$out/$label.txt" >>"$out/results.jsonl" || true
}

free_port() {
  local port
  while true; do
    port=$(shuf -i 20000-32000 -n 1)
    ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

wait_live() {
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$1/health/live" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "hub on port $1 did not start" >&2
  return 1
}

single() {
  run single-1000 --connections 1000 --rate 20
  run single-5000 --connections 5000 --rate 10
  run single-10000 --connections 10000 --rate 5
  run single-10000-150k --connections 10000 --rate 15
}

scaled() {
  if ! grep -rqs "StackExchangeRedis" Hub.Server/Hub.Server.csproj; then
    echo "== scaled: skipped, this build of Hub.Server has no Redis scale-out (Hub:Redis)"
    return
  fi

  local tmp pg_port redis_port nginx_port hub1 hub2 pids=()
  tmp=$(mktemp -d)
  pg_port=$(free_port)
  redis_port=$(free_port)
  nginx_port=$(free_port)
  hub1=$(free_port)
  hub2=$(free_port)
  [[ $(id -u) -eq 0 ]] && chmod 755 "$tmp"
  cleanup_scaled() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -f $tmp/nginx.pid ]] && nginx -p "$tmp" -c "$tmp/nginx.conf" -s stop 2>/dev/null || true
    [[ -f $tmp/redis.pid ]] && kill "$(cat "$tmp/redis.pid")" 2>/dev/null || true
    PGPORT=$pg_port PG_LOCAL_ROOT="$tmp/pg" scripts/pg-local.sh stop >/dev/null 2>&1 || true
  }
  trap cleanup_scaled RETURN

  PGPORT=$pg_port PG_LOCAL_ROOT="$tmp/pg" scripts/pg-local.sh start bench_0
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$tmp/redis.pid" --dir "$tmp" --logfile "$tmp/redis.log"
  dotnet build Hub.Server -c Release -nologo -v q >/dev/null
  for port in "$hub1" "$hub2"; do
    Hub__Redis="127.0.0.1:$redis_port" \
      Hub__Auth__AllowAnonymous=true \
      Hub__Databases__bench_0__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=bench_0;Username=postgres" \
      Hub__Databases__bench_0__Channels__0=bench \
      Logging__LogLevel__Default=Warning \
      dotnet Hub.Server/bin/Release/net10.0/Hub.Server.dll --urls "http://127.0.0.1:$port" >"$tmp/hub-$port.log" 2>&1 &
    pids+=($!)
  done
  wait_live "$hub1"
  wait_live "$hub2"

  # The seed's nginx advice, sized so each worker stays under the open-file limit (a proxied WebSocket uses two).
  local user_line=""
  [[ $(id -u) -eq 0 ]] && user_line="user root;"
  cat >"$tmp/nginx.conf" <<NGINX
$user_line
worker_processes 2;
worker_rlimit_nofile $(( $(ulimit -Hn) - 1000 ));
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 16000; use epoll; }
http {
  access_log off;
  keepalive_timeout 86400s;
  keepalive_requests 10000;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream hub { server 127.0.0.1:$hub1; server 127.0.0.1:$hub2; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://hub;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_read_timeout 86400s;
      proxy_send_timeout 86400s;
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
NGINX
  nginx -p "$tmp" -c "$tmp/nginx.conf"

  run scaled-2x-10000 --connections 10000 --rate 5 \
    --url "http://127.0.0.1:$nginx_port" --server-pid "${pids[0]},${pids[1]}" \
    --connection-string "Host=127.0.0.1;Port=$pg_port;Database=postgres;Username=postgres"
}

case "$what" in
  single) single ;;
  scaled) scaled ;;
  all) single; scaled ;;
  *) echo "usage: $0 [single|scaled|all]" >&2; exit 2 ;;
esac

"${bench[@]}" summarize "$out/results.jsonl" | tee "$out/summary.md"
echo "results: $out"
