#!/usr/bin/env bash
# Renders docs/observability-dashboard.png from real data: starts PostgreSQL (scripts/pg-local.sh), two hub
# instances and a Prometheus (Debian's package) scraping them, drives SignalR clients (load.mjs) and NOTIFYs
# (psql) for DURATION seconds, kills the listener connections of one database once, a quarter of the way in (reconnects and resyncs), then runs
# every query of grafana/dashboards/notify-hub.json against that Prometheus (render.mjs) and screenshots the
# result with headless Chromium.
# Usage: grafana/render/render.sh   (DURATION default 300; PGPORT default 54371; needs prometheus, chromium, node)
set -euo pipefail
cd "$(dirname "$0")/../.."

duration="${DURATION:-300}"
pg_port="${PGPORT:-54371}"
prom_port="${PROMETHEUS_PORT:-9391}"
hub_ports=(5181 5182)
out="${OUT:-docs/observability-dashboard.png}"
work="$(mktemp -d)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

extras=(chromium)
command -v prometheus >/dev/null 2>&1 || extras+=(prometheus)
scripts/install-deps.sh "${extras[@]}"
PGPORT="$pg_port" scripts/pg-local.sh start app billing
dotnet build Hub.Server -c Release -v quiet -nologo
(cd grafana/render && npm ci --silent --no-audit --no-fund)

targets=""
for i in "${!hub_ports[@]}"; do
  port="${hub_ports[$i]}"
  Hub__InstanceId="hub-$((i + 1))" \
  Hub__Auth__AllowAnonymous=true \
  Hub__Databases__app__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=app;Username=postgres" \
  Hub__Databases__app__Channels__0=hub_events \
  Hub__Databases__app__Channels__1=orders \
  Hub__Databases__billing__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=billing;Username=postgres" \
  Hub__Databases__billing__Channels__0=invoices \
  Logging__LogLevel__Default=Warning \
    dotnet Hub.Server/bin/Release/net10.0/Hub.Server.dll --urls "http://127.0.0.1:$port" >"$work/hub-$port.log" 2>&1 &
  pids+=($!)
  targets+="'127.0.0.1:$port',"
done

cat >"$work/prometheus.yml" <<YAML
global: { scrape_interval: 5s, evaluation_interval: 5s }
scrape_configs:
  - job_name: notify-hub
    static_configs: [ { targets: [ ${targets%,} ] } ]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

for port in "${hub_ports[@]}"; do
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.2; done
done

start="$(date +%s)"
DATABASES="app:hub_events,orders;billing:invoices" node grafana/render/load.mjs "$duration" \
  "http://127.0.0.1:${hub_ports[0]}/hubs/notifications" "http://127.0.0.1:${hub_ports[1]}/hubs/notifications" &
load=$!
pids+=($load)

notify() {
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -d "$1" -qAtc \
    "SELECT pg_notify('$2', json_build_object('id', g, 'at', clock_timestamp())::text || repeat(' ', (random() * $3)::int)) FROM generate_series(1, $4) g" >/dev/null
}

killed=false
while (( $(date +%s) - start < duration )); do
  elapsed=$(( $(date +%s) - start ))
  # A slow wave of traffic with a burst in the middle.
  burst=$(( elapsed > duration / 3 && elapsed < duration / 3 + 30 ? 60 : 0 ))
  notify app hub_events 400 $(( 10 + (elapsed % 60) / 3 + burst ))
  notify app orders 2000 3
  notify billing invoices 6000 $(( 2 + elapsed % 5 ))
  if [[ $killed == false ]] && (( elapsed > duration / 4 )); then
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -qAtc \
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'notify-hub listener' AND datname = 'app'" >/dev/null
    killed=true
  fi
  sleep 0.5
done
wait "$load"
sleep 6 # one more scrape after the last clients left
end="$(date +%s)"

height="$(node grafana/render/render.mjs "http://127.0.0.1:$prom_port" grafana/dashboards/notify-hub.json "$start" "$end" "$work/dashboard.html" | tail -n 1)"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="1600,$height" \
  --screenshot="$PWD/$out" "file://$work/dashboard.html" 2>/dev/null
echo "Wrote $out"
