// Finds a Chromium without user action: Playwright's own build where installed (a normal user's
// machine), else a system Chromium (Debian's package here), else a path from HARNESS_CHROMIUM.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright';

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

import { trustFromEnv } from '../targets/tls.ts';

class BrowserNotFound extends Error {}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.HARNESS_CHROMIUM;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // playwright throws when its browsers were never installed
  }
  return SYSTEM_CHROMIUMS.find((p) => existsSync(p));
}

export function launchOptions(env: NodeJS.ProcessEnv = process.env): LaunchOptions {
  const executablePath = findChromium(env);
  if (!executablePath) {
    throw new BrowserNotFound(
      env.HARNESS_CHROMIUM
        ? `HARNESS_CHROMIUM=${env.HARNESS_CHROMIUM}: no such file`
        : 'no Chromium found: run `npm run setup` (installs Playwright\'s Chromium or Debian\'s chromium) or set HARNESS_CHROMIUM',
    );
  }
  // A TLS target's host name goes to loopback and its run certificate's key is pinned; every other
  // host outside this machine is kept out (fonts, updates, safe browsing). First matching rule wins.
  const trust = trustFromEnv(env);
  const rules = [...(trust ? [`MAP ${trust.hostname} 127.0.0.1`] : []), 'MAP * ~NOTFOUND', 'EXCLUDE 127.0.0.1', 'EXCLUDE localhost'].join(' , ');
  return {
    executablePath,
    args: ['--disable-gpu', '--disable-quic', '--disable-sync', `--host-resolver-rules=${rules}`, ...(trust ? [`--ignore-certificate-errors-spki-list=${trust.spki}`] : [])],
  };
}

export function launchBrowser(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  return chromium.launch(launchOptions(env));
}
