#!/usr/bin/env bash
# One-time set-up on a fresh machine: npm dependencies, then a Chromium for the login pages.
# Prefers Playwright's own Chromium; where it cannot be downloaded (closed networks, CI here)
# and we are root on Debian/Ubuntu, installs the distribution's chromium package instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

have_browser() {
  npx --no-install tsx scripts/find-browser.ts >/dev/null 2>&1
}

if have_browser; then
  echo "setup: Chromium found"
  exit 0
fi
if timeout 120 npx --no-install playwright install chromium >/dev/null 2>&1 && have_browser; then
  echo "setup: installed Playwright's Chromium"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "setup: installing Debian's chromium (Playwright's download is not reachable)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  have_browser && exit 0
fi
echo "setup: no Chromium could be installed: install chromium with your package manager, or set HARNESS_CHROMIUM to a Chromium binary" >&2
exit 2
