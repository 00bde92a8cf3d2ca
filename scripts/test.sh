#!/usr/bin/env bash
# Runs every test. Installs what is missing first; the tests start their own PostgreSQL, Redis and nginx
# on free loopback ports and remove them afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
dotnet test HubSolution.sln -c Release --logger "console;verbosity=normal"
scripts/test-js.sh
