#!/usr/bin/env bash
# Measures the hub on this machine:
#   side-by-side: the Node server the hub replaces (Hub.Bench/Baseline) and the hub, run as users run it
#     (dotnet Hub.Server.dll, Production), under one load generator, pair after pair, at 10,000 subscribers
#     and 5 and 15 NOTIFY/s (POINTS="subscribers rate seconds;...", REPEAT pairs per point, default 3), each
#     pair with its date and load average;
#   single: Hub.Bench at 1,000 / 5,000 / 10,000 subscribers on one instance (connect, idle memory, broadcasting)
#     and 10,000 subscribers at 15 NOTIFY/s (the 150,000 deliveries/s target);
#   scaled: 10,000 subscribers over 2 instances behind nginx with Redis, with Hub.Bench and the same generator.
# Results go to bench-results/<UTC time>/: results.jsonl (Hub.Bench), side-by-side.jsonl and side-by-side.md,
# summary.md, an SVG per Hub.Bench run.
# Usage: scripts/bench-suite.sh [side-by-side|single|scaled|all]   (DURATION: seconds of publishing per
# Hub.Bench run, default 15). On a shared machine, compare the two lines of one pair, never runs far apart.
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-all}"
duration="${DURATION:-15}"
scripts/install-deps.sh jq
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

baseline=Hub.Bench/Baseline
hub_dir=Hub.Server/bin/Release/net10.0

# The generator's packages, once, where compare.sh looks for them.
baseline_work=${BASELINE_WORK:-/tmp/notify-hub-baseline}
baseline_deps() {
  if [[ ! -d $baseline_work/node_modules/ws ]]; then
    mkdir -p "$baseline_work"
    cp "$baseline/package.json" "$baseline_work/"
    (cd "$baseline_work" && npm install --no-audit --no-fund --silent)
  fi
}

# The load generator's JSON line with the pair's context, and the CPU time per delivery worked out from it.
record_pair() {
  local server=$1 point=$2 run=$3 when=$4 load=$5 line=$6
  jq -c --arg server "$server" --arg point "$point" --argjson run "$run" --arg when "$when" --arg load "$load" \
    '{server: $server, point: $point, run: $run, when: $when, loadAverage: $load} + .
      + {serverCpuMicrosecondsPerDelivery: (if .serverCpuPercent and .received > 0
           then (.serverCpuPercent / 100 * (.notificationsSent / .rate + .drainSeconds) * 1e6 / .received * 10 | round / 10)
           else null end)}' <<<"$line" >>"$out/side-by-side.jsonl"
}

side_by_side() {
  local tmp pg_port hub_port hub_pid repeat=${REPEAT:-3}
  tmp=$(mktemp -d)
  pg_port=$(free_port)
  [[ $(id -u) -eq 0 ]] && chmod 755 "$tmp"
  cleanup_side_by_side() {
    [[ -n ${hub_pid:-} ]] && kill "$hub_pid" 2>/dev/null || true
    PGPORT=$pg_port PG_LOCAL_ROOT="$tmp/pg" scripts/pg-local.sh stop >/dev/null 2>&1 || true
  }
  trap cleanup_side_by_side RETURN
  baseline_deps
  PGPORT=$pg_port PG_LOCAL_ROOT="$tmp/pg" scripts/pg-local.sh start app
  dotnet build Hub.Server -c Release -nologo -v q >/dev/null

  local point n rate seconds run points
  IFS=';' read -ra points <<<"${POINTS:-10000 5 30;10000 15 15}"
  for point in "${points[@]}"; do
    read -r n rate seconds <<<"$point"
    for run in $(seq 1 "$repeat"); do
      # A fresh hub for every pair, as users start it: its own folder, its shipped settings, Production.
      hub_port=$(free_port)
      (cd "$hub_dir" && ASPNETCORE_ENVIRONMENT=Production \
        Hub__Auth__AllowAnonymous=true \
        Hub__Databases__app__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=app;Username=postgres" \
        Hub__Databases__app__Channels__0=hub_events \
        exec dotnet Hub.Server.dll --urls "http://127.0.0.1:$hub_port") >"$tmp/hub-$hub_port.log" 2>&1 &
      hub_pid=$!
      wait_live "$hub_port"
      local when load pair
      when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      echo "== side-by-side ${n} x ${rate}/s, ${seconds} s, pair $run: $when, load average $load"
      pair=$(PGPORT=$pg_port HUB_URL="ws://127.0.0.1:$hub_port/hubs/notifications" HUB_PID=$hub_pid \
        SEED_PORT=$(free_port) "$baseline/compare.sh" "$n" "$rate" "$seconds")
      echo "$pair"
      record_pair seed "${n}x${rate}" "$run" "$when" "$load" "$(sed -n 's/^seed //p' <<<"$pair")"
      record_pair hub "${n}x${rate}" "$run" "$when" "$load" "$(sed -n 's/^hub  //p' <<<"$pair")"
      kill "$hub_pid"
      wait "$hub_pid" 2>/dev/null || true
      hub_pid=
    done
  done
  side_by_side_table >"$out/side-by-side.md"
  cat "$out/side-by-side.md"
}

side_by_side_table() {
  echo "| point | pair | when (UTC) | load average | server | p50 ms | p99 ms | deliveries/s | CPU % | CPU µs/delivery | idle KB/connection | lost | dup/disorder |"
  echo "|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  jq -r '"| \(.point) | \(.run) | \(.when) | \(.loadAverage) | \(.server) | \(.latencyMs.p50 * 10 | round / 10) | \(.latencyMs.p99 * 10 | round / 10) | \(.deliveredPerSecond) | \(.serverCpuPercent) | \(.serverCpuMicrosecondsPerDelivery) | \(.serverKbPerConnection) | \(.lost) | \(.duplicatedOrDisordered) |"' \
    "$out/side-by-side.jsonl"
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

  # The same generator as the side-by-side runs, through nginx; CPU and memory are the first instance's.
  local when load line
  when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== scaled 2 instances, generator: $when, load average $load"
  baseline_deps
  line=$(NODE_PATH=$baseline_work/node_modules node "$baseline/loadgen.js" --target signalr \
    --url "ws://127.0.0.1:$nginx_port/hubs/notifications" --db bench_0 --channel bench --connections 10000 --rate 5 \
    --duration 30 --pid "${pids[0]}" --pg "postgres://postgres@127.0.0.1:$pg_port/bench_0" | tail -n 1)
  echo "$line"
  record_pair hub-2-instances 10000x5 1 "$when" "$load" "$line"
}

case "$what" in
  side-by-side) side_by_side ;;
  single) single ;;
  scaled) scaled ;;
  all) side_by_side; single; scaled ;;
  *) echo "usage: $0 [side-by-side|single|scaled|all]" >&2; exit 2 ;;
esac

if [[ -s $out/results.jsonl ]]; then
  "${bench[@]}" summarize "$out/results.jsonl" | tee "$out/summary.md"
fi
echo "results: $out"
