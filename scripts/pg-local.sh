#!/usr/bin/env bash
# Starts or stops a PostgreSQL server for trying the hub, with its data under .local/pg in the repository.
# Usage: scripts/pg-local.sh start|stop|status   (port: PGPORT, default 54329)
set -euo pipefail
cd "$(dirname "$0")/.."

port="${PGPORT:-54329}"
root="${PG_LOCAL_ROOT:-$PWD/.local/pg}"
data="$root/data"
bin="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1)")"

as_owner() {
  # initdb and postgres refuse to run as root.
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    mkdir -p "$root"
    [[ $(id -u) -eq 0 ]] && chown postgres "$root"
    if [[ ! -f "$data/PG_VERSION" ]]; then
      as_owner "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -w -l "$root/postgres.log" \
        -o "-p $port -k $root -c listen_addresses=127.0.0.1" start >/dev/null
    fi
    for db in "${@:2}"; do
      psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
        || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE \"$db\""
    done
    echo "PostgreSQL is running on 127.0.0.1:$port (data in $data)"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop
    ;;
  status)
    as_owner "$bin/pg_ctl" -D "$data" status
    ;;
  *)
    echo "usage: $0 start [database ...] | stop | status" >&2
    exit 2
    ;;
esac
