#!/usr/bin/env bash
# One-time set-up on a fresh machine: npm dependencies, then a Chromium for the login pages.
# Prefers a headless shell (what Playwright launches for headless runs; about a quarter of the full
# browser's CPU per page): Playwright's own Chromium, which comes with its shell; where that cannot
# be downloaded (closed networks, CI here) and we are root on Debian/Ubuntu, the distribution's
# chromium-headless-shell package (or its chromium where there is none).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

found_browser() {
  npx --no-install tsx scripts/find-browser.ts 2>/dev/null
}
is_shell() {
  case "$1" in *headless[-_]shell|*headless[-_]shell.exe) return 0 ;; *) return 1 ;; esac
}
apt_shell() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

if found=$(found_browser); then
  if is_shell "$found" || [ -n "${HARNESS_CHROMIUM:-}" ]; then
    echo "setup: Chromium found ($found)"
    exit 0
  fi
  # A full Chromium works; its headless shell does the same for a quarter of the CPU.
  if apt_shell && found=$(found_browser) && is_shell "$found"; then
    echo "setup: installed Debian's chromium-headless-shell ($found)"
  else
    echo "setup: Chromium found ($found); a headless shell (Playwright's, or a chromium-headless-shell package) would run the login pages faster"
  fi
  exit 0
fi
if timeout 120 npx --no-install playwright install chromium >/dev/null 2>&1 && found=$(found_browser); then
  echo "setup: installed Playwright's Chromium ($found)"
  exit 0
fi
echo "setup: installing Debian's chromium-headless-shell (Playwright's download is not reachable)"
if apt_shell && found=$(found_browser); then
  echo "setup: installed ($found)"
  exit 0
fi
echo "setup: no Chromium could be installed: install chromium-headless-shell or chromium with your package manager, or set HARNESS_CHROMIUM to a Chromium binary" >&2
exit 2
