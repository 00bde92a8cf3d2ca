#!/usr/bin/env bash
# Installs what is missing, starts a local PostgreSQL with a demo database 'app', and runs the hub.
# It ends by printing the live page URL.
# Usage: scripts/run.sh   (PGPORT defaults to 54329, HUB_PORT to 5080)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
pg_port="${PGPORT:-54329}"
hub_port="${HUB_PORT:-5080}"
PGPORT="$pg_port" scripts/pg-local.sh start app

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export Hub__Databases__app__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=app;Username=postgres"
export Hub__Databases__app__Channels__0="hub_events"
export Hub__Databases__app__Channels__1="orders"

export Hub__Auth__AllowAnonymous=true

# Build first (this also bundles the live page's script with npm); print the URLs once the hub answers.
dotnet build Hub.Server -c Release --nologo -v quiet
(
  until (exec 3<>"/dev/tcp/127.0.0.1/$hub_port") 2>/dev/null; do
    kill -0 $$ 2>/dev/null || exit 0
    sleep 0.2
  done
  cat <<MSG

  Hub:      http://127.0.0.1:$hub_port/hubs/notifications
  Stats:    http://127.0.0.1:$hub_port/api/stats
  NOTIFY:   psql -h 127.0.0.1 -p $pg_port -U postgres -d app -c "NOTIFY hub_events, 'hello'"
  Stop PostgreSQL afterwards with: scripts/pg-local.sh stop

  Live page: http://127.0.0.1:$hub_port/

MSG
) &
exec dotnet run --project Hub.Server -c Release --no-build -- --urls "http://127.0.0.1:$hub_port"
