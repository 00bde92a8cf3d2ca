#!/usr/bin/env bash
# Installs what the hub's run and test commands need on Debian 12 with the .NET 10 SDK:
# PostgreSQL server binaries, Redis and nginx from Debian's packages, Node.js for the JavaScript client.
# Idempotent: installs only what is missing.
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (https://dot.net); install it first." >&2
  exit 1
fi

packages=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
command -v psql >/dev/null 2>&1 || packages+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v nginx >/dev/null 2>&1 || packages+=(nginx)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
for extra in "$@"; do
  case "$extra" in
    chromium) command -v chromium >/dev/null 2>&1 || packages+=(chromium) ;;
    *) packages+=("$extra") ;;
  esac
done

if ((${#packages[@]} > 0)); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "Installing: ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
