#!/usr/bin/env bash
# Runs the JavaScript client's tests and the live page's browser test (Debian's Chromium, headless) against
# the real hub, built in Release, and PostgreSQL servers the tests start and remove themselves.
# Set HUB_PAGE_SCREENSHOT=docs/live-page.png to refresh the README's screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh chromium
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 20)); then
  echo "Node.js 20 or later is required for the JavaScript tests (found $(node --version))." >&2
  exit 1
fi

# Building the hub also installs the client's npm packages and bundles it for the page (Hub.Server/LivePage).
dotnet build Hub.Server -c Release --nologo -v quiet
cd clients/js
[[ node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund
if [[ -n "${HUB_PAGE_SCREENSHOT:-}" ]]; then
  export HUB_PAGE_SCREENSHOT="$(cd ../.. && realpath -m "$HUB_PAGE_SCREENSHOT")"
fi
npm test
