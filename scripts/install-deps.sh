#!/usr/bin/env bash
# Installs what the hub's run and test commands need on Debian 12 with the .NET 10 SDK, from Debian's packages:
# PostgreSQL server binaries and client, Node.js and npm (building the hub bundles the live page's script), and for
# the tests also Redis and nginx. Idempotent: installs only what is missing, and shows apt's progress.
# Usage: scripts/install-deps.sh [--run] [package ...]
#   --run     only what scripts/run.sh needs (no Redis, no nginx)
#   chromium  Debian's Chromium, for the browser tests; any other name is a package whose command has that
#             name (jq, say), installed unless the command exists
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (https://dot.net); install it first." >&2
  exit 1
fi

for_tests=true
if [[ ${1:-} == "--run" ]]; then
  for_tests=false
  shift
fi

packages=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
command -v psql >/dev/null 2>&1 || packages+=(postgresql-client)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if $for_tests; then
  command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
  command -v nginx >/dev/null 2>&1 || packages+=(nginx)
fi
for extra in "$@"; do
  case "$extra" in
    chromium) command -v chromium >/dev/null 2>&1 || packages+=(chromium) ;;
    *) command -v "$extra" >/dev/null 2>&1 || packages+=("$extra") ;;
  esac
done

if ((${#packages[@]} > 0)); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "Installing from Debian's packages: ${packages[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${packages[@]}"
fi
