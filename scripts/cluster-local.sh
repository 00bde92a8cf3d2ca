#!/usr/bin/env bash
# The scaled-out topology of docker-compose.yml on one machine, without Docker: PostgreSQL (scripts/pg-local.sh),
# Redis, three hub instances on different ports and nginx in front, all on 127.0.0.1, state under .local/cluster.
# Usage: scripts/cluster-local.sh start|stop|status
#   stop leaves the local PostgreSQL running when it was already running at start (scripts/run.sh uses the same one)
#   ports: PGPORT (54329), REDIS_PORT (56379), HUB_PORTS ("5081 5082 5083"), NGINX_PORT (8080)
set -euo pipefail
cd "$(dirname "$0")/.."

pg_port="${PGPORT:-54329}"
redis_port="${REDIS_PORT:-56379}"
read -r -a hub_ports <<<"${HUB_PORTS:-5081 5082 5083}"
nginx_port="${NGINX_PORT:-8080}"
root="$PWD/.local/cluster"
nginx_args=(-e stderr -p "$root/nginx" -c "$root/nginx/nginx.conf" -g "pid $root/nginx/nginx.pid;")

wait_for_port() {
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "nothing answers on port $1 ($2); see $root" >&2
  return 1
}

stop_pidfile() {
  if [[ -f "$1" ]]; then
    kill "$(cat "$1")" 2>/dev/null || true
    rm -f "$1"
  fi
}

case "${1:-start}" in
  start)
    scripts/install-deps.sh
    mkdir -p "$root/nginx"
    # The PostgreSQL of scripts/pg-local.sh is shared with scripts/run.sh: stop only stops it if this start started it.
    rm -f "$root/postgres.started"
    if ! PGPORT="$pg_port" scripts/pg-local.sh status >/dev/null 2>&1; then
      touch "$root/postgres.started"
    fi
    PGPORT="$pg_port" scripts/pg-local.sh start app

    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --dir "$root" --pidfile "$root/redis.pid" --logfile "$root/redis.log"
    wait_for_port "$redis_port" redis

    dotnet build Hub.Server -c Release -v quiet -nologo -clp:NoSummary
    dll="$PWD/Hub.Server/bin/Release/net10.0/Hub.Server.dll"
    for i in "${!hub_ports[@]}"; do
      n=$((i + 1))
      ASPNETCORE_URLS="http://127.0.0.1:${hub_ports[$i]}" \
      Hub__InstanceId="hub$n" \
      Hub__Redis="127.0.0.1:$redis_port" \
      Hub__ScaleOut__ChannelPrefix="notify-hub-local" \
      Hub__Auth__AllowAnonymous="true" \
      Hub__Databases__app__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=app;Username=postgres" \
      Hub__Databases__app__Channels__0="hub_events" \
      Hub__Databases__app__Channels__1="orders" \
        nohup dotnet "$dll" >"$root/hub$n.log" 2>&1 &
      echo $! >"$root/hub$n.pid"
    done
    for port in "${hub_ports[@]}"; do wait_for_port "$port" "hub"; done

    scripts/nginx-conf.sh "$nginx_port" "$root/nginx" "${hub_ports[@]}" >"$root/nginx/nginx.conf"
    nginx "${nginx_args[@]}"
    wait_for_port "$nginx_port" nginx

    cat <<MSG

  Hub (through nginx): http://127.0.0.1:$nginx_port/hubs/notifications
  Instances:           $(for p in "${hub_ports[@]}"; do printf 'http://127.0.0.1:%s/api/stats  ' "$p"; done)
  NOTIFY:              psql -h 127.0.0.1 -p $pg_port -U postgres -d app -c "NOTIFY hub_events, 'hello'"
  Logs:                $root
  Stop:                scripts/cluster-local.sh stop

MSG
    ;;
  stop)
    [[ -f "$root/nginx/nginx.pid" ]] && nginx "${nginx_args[@]}" -s quit || true
    for pidfile in "$root"/hub*.pid; do [[ -e "$pidfile" ]] && stop_pidfile "$pidfile"; done
    stop_pidfile "$root/redis.pid"
    if [[ -f "$root/postgres.started" ]]; then
      PGPORT="$pg_port" scripts/pg-local.sh stop || true
      rm -f "$root/postgres.started"
    else
      echo "PostgreSQL (scripts/pg-local.sh) was already running before the cluster started, so it is left running; scripts/pg-local.sh stop stops it."
    fi
    ;;
  status)
    for pidfile in "$root"/*.pid "$root/nginx/nginx.pid"; do
      [[ -e "$pidfile" ]] || continue
      if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$(basename "$pidfile" .pid): running"; else echo "$(basename "$pidfile" .pid): stopped"; fi
    done
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
