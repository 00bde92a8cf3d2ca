#!/usr/bin/env bash
# Side by side under one load generator: the seed's Node architecture, then the hub.
#   PGPORT=5432 HUB_URL=ws://127.0.0.1:5080/hubs/notifications HUB_PID=1234 ./compare.sh [N] [RATE] [SECONDS]
# Needs a PostgreSQL on 127.0.0.1:$PGPORT (user postgres, trust) with a database `app`, and a hub already
# running (Production settings, database `app` with channel `hub_events`, anonymous access) whose process id
# is HUB_PID. Prints one JSON line per server: latency percentiles, deliveries/s, lost, duplicated or out of
# order, server CPU (percent of one core over publishing and draining) and idle RSS per connection.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
N=${1:-10000} RATE=${2:-5} DUR=${3:-20}
: "${PGPORT:?set PGPORT}" "${HUB_URL:?set HUB_URL}" "${HUB_PID:?set HUB_PID}"
work=${BASELINE_WORK:-/tmp/notify-hub-baseline}
mkdir -p "$work"
if [[ ! -d $work/node_modules/ws ]]; then
  cp "$here/package.json" "$work/" && (cd "$work" && npm install --no-audit --no-fund --silent)
fi
export NODE_PATH=$work/node_modules
pgurl="postgres://postgres@127.0.0.1:$PGPORT/app"
SEED_PORT=${SEED_PORT:-23030}
(cd "$here/seed-node" && PGHOST=127.0.0.1 PGPORT=$PGPORT PGUSER=postgres PORT=$SEED_PORT exec node server.js) >"$work/seed.log" 2>&1 &
seed=$!
trap 'kill $seed 2>/dev/null || true' EXIT
sleep 1
printf 'seed '; node "$here/loadgen.js" --target seed --url "ws://127.0.0.1:$SEED_PORT/api/ws" --connections "$N" \
  --rate "$RATE" --duration "$DUR" --pid "$seed" --pg "$pgurl" | tail -n 1
kill $seed; wait $seed 2>/dev/null || true
printf 'hub  '; node "$here/loadgen.js" --target signalr --url "$HUB_URL" --connections "$N" \
  --rate "$RATE" --duration "$DUR" --pid "$HUB_PID" --pg "$pgurl" | tail -n 1
