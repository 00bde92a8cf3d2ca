#!/usr/bin/env bash
# The quick start: installs what is missing (PostgreSQL, and Node.js to build the live page), starts a local
# PostgreSQL with a demo database 'app', builds the hub and runs Hub.Server.dll. The URLs are printed only once the
# hub answers /health/live; a hub that does not start ends this script with its exit code and says why.
# Ctrl+C (SIGINT) or SIGTERM stops the hub; PostgreSQL keeps running (scripts/pg-local.sh stop).
#
# Environment:
#   HUB_PORT                the hub's port on 127.0.0.1 (5080)
#   PGPORT                  the local PostgreSQL's port (54329)
#   PG_LOCAL_ROOT           where the local PostgreSQL keeps its data (.local/pg)
#   ASPNETCORE_ENVIRONMENT  Development unless set
#   HUB_SERVER_DLL          run this Hub.Server.dll instead of building one
#   Hub__...                any hub setting, passed through
set -euo pipefail
cd "$(dirname "$0")/.."

hub_port="${HUB_PORT:-5080}"
pg_port="${PGPORT:-54329}"

fail() {
  echo "scripts/run.sh: $*" >&2
  exit 1
}

answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# /health/live over bash's own TCP, so that nothing beyond bash is needed to tell a started hub.
is_live() {
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$hub_port" || return 1
  printf 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  IFS= read -r -t 2 status <&3 || status=""
  exec 3>&-
  [[ $status == "HTTP/1.1 200"* ]]
}

# Before anything else: a port in use would otherwise be found only after the install, PostgreSQL and the build.
if answers "$hub_port"; then
  fail "port $hub_port on 127.0.0.1 is already in use (another hub?): stop it, or set HUB_PORT to a free port."
fi

scripts/install-deps.sh --run
PGPORT="$pg_port" scripts/pg-local.sh start app

if [[ -z ${HUB_SERVER_DLL:-} ]]; then
  # Building also bundles the live page's script with npm.
  echo "Building the hub (Release)..."
  dotnet build Hub.Server -c Release -nologo -v minimal -clp:NoSummary
  HUB_SERVER_DLL="$PWD/Hub.Server/bin/Release/net10.0/Hub.Server.dll"
fi
[[ -f $HUB_SERVER_DLL ]] || fail "$HUB_SERVER_DLL not found."

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export Hub__Databases__app__ConnectionString="${Hub__Databases__app__ConnectionString:-Host=127.0.0.1;Port=$pg_port;Database=app;Username=postgres}"
export Hub__Databases__app__Channels__0="${Hub__Databases__app__Channels__0:-hub_events}"
export Hub__Databases__app__Channels__1="${Hub__Databases__app__Channels__1:-orders}"
# A hub on this machine only (127.0.0.1), for trying it: anyone who can reach it may subscribe and publish.
export Hub__Auth__AllowAnonymous="${Hub__Auth__AllowAnonymous:-true}"
export Hub__Auth__AnonymousMayPublish="${Hub__Auth__AnonymousMayPublish:-true}"

# The hub is this script's child, not exec'd, so that the script can wait for it to answer; signals go on to it.
dotnet "$HUB_SERVER_DLL" --urls "http://127.0.0.1:$hub_port" &
hub_pid=$!
# A background job of a script starts with SIGINT ignored, so Ctrl+C reaches the hub as the SIGTERM it stops on.
trap 'kill -TERM "$hub_pid" 2>/dev/null || true' INT
trap 'kill -TERM "$hub_pid" 2>/dev/null || true' TERM

hub_exit() {
  local status=0
  # wait returns early when a trapped signal arrives; wait again until the hub itself has exited.
  while kill -0 "$hub_pid" 2>/dev/null; do
    wait "$hub_pid" && status=0 || status=$?
  done
  wait "$hub_pid" 2>/dev/null && status=0 || status=$?
  return "$status"
}

deadline=$((SECONDS + 60))
until is_live 2>/dev/null; do
  if ! kill -0 "$hub_pid" 2>/dev/null; then
    status=0
    hub_exit || status=$?
    echo "scripts/run.sh: the hub did not start (exit code $status); its last lines above say why." >&2
    exit "$((status == 0 ? 1 : status))"
  fi
  if ((SECONDS > deadline)); then
    kill -TERM "$hub_pid" 2>/dev/null || true
    hub_exit || true
    fail "the hub did not answer http://127.0.0.1:$hub_port/health/live within 60 s."
  fi
  sleep 0.2
done

cat <<MSG

  Notify Hub is running ($ASPNETCORE_ENVIRONMENT), pid $hub_pid. Ctrl+C stops it.

  Hub:       http://127.0.0.1:$hub_port/hubs/notifications
  Stats:     http://127.0.0.1:$hub_port/api/stats
  NOTIFY:    psql -h 127.0.0.1 -p $pg_port -U postgres -d app -c "NOTIFY hub_events, 'hello'"
  Publish:   curl -X POST http://127.0.0.1:$hub_port/api/publish -H 'Content-Type: application/json' \\
               -d '{"database":"app","channel":"hub_events","payload":"hello"}'
  Stop PostgreSQL afterwards with: PGPORT=$pg_port scripts/pg-local.sh stop

  Live page: http://127.0.0.1:$hub_port/

MSG

status=0
hub_exit || status=$?
exit "$status"
