#!/usr/bin/env bash
# Renders nginx/nginx.conf for hub instances on this machine: the upstream servers become 127.0.0.1:PORT, nginx
# listens on 127.0.0.1:LISTEN_PORT, and logs go to files under PREFIX. Everything else stays as in the file
# docker-compose.yml uses.
# Usage: scripts/nginx-conf.sh LISTEN_PORT PREFIX HUB_PORT [HUB_PORT ...] > nginx.conf
set -euo pipefail
if (($# < 3)); then
  echo "usage: $0 LISTEN_PORT PREFIX HUB_PORT [HUB_PORT ...]" >&2
  exit 2
fi
listen="$1"
prefix="$2"
shift 2
template="$(dirname "$0")/../nginx/nginx.conf"

awk -v listen="$listen" -v prefix="$prefix" -v ports="$*" '
  /^[[:space:]]*server hub[0-9]+:[0-9]+/ {
    if (!done) {
      match($0, /^[[:space:]]*/); indent = substr($0, 1, RLENGTH)
      options = $0; sub(/^[[:space:]]*server [^ ;]+/, "", options)
      n = split(ports, list, " ")
      for (i = 1; i <= n; i++) print indent "server 127.0.0.1:" list[i] options
      done = 1
    }
    next
  }
  /^[[:space:]]*listen 80;/ { sub(/listen 80;/, "listen 127.0.0.1:" listen ";") }
  /^error_log \/dev\/stderr/ { sub(/\/dev\/stderr/, prefix "/error.log") }
  /^[[:space:]]*access_log \/dev\/stdout;/ { sub(/\/dev\/stdout/, prefix "/access.log") }
  { print }
' "$template"
