// Finds a Chromium without user action, preferring a headless shell: HARNESS_CHROMIUM; Playwright's
// own build where installed (a normal user's machine); else a system one (Debian's packages here).
//
// Why the headless shell first: Playwright launches it by default for headless runs, and the harness
// only runs headless. The full browser's headless mode costs about four times the CPU per page
// (measured here, Chromium 156: a default run spent 13.6 CPU-s in Chromium with /usr/bin/chromium
// and 3.0 CPU-s with /usr/bin/chromium-headless-shell, same verdicts). Playwright launches its
// shell only when no executablePath is given, and exposes only the full browser's path, so the
// shell's is found beside it: <registry>/chromium-<rev>/… and <registry>/chromium_headless_shell-<rev>/
// chrome-headless-shell-<platform>/chrome-headless-shell (Playwright's registry layout).

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, LaunchOptions } from 'playwright';

import { executableFile } from '../config/settings.ts';
import { trustFromEnv } from '../targets/tls.ts';

const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

// Required when first needed, not imported: an ESM import of 'playwright' makes Node scan
// playwright-core's 3.6 MB bundle for export names (cjs-module-lexer, following
// `module.exports = require(...)`), about 0.25 s of CPU in every process that loads this module,
// measured. The CLI, which only asks whether there is a browser, loads it only when no system
// Chromium answers that (assertChromiumAvailable).
let loaded: typeof import('playwright') | undefined;
function playwright(): typeof import('playwright') {
  return (loaded ??= createRequire(import.meta.url)('playwright') as typeof import('playwright'));
}

class BrowserNotFound extends Error {}

/** The headless shell Playwright installed beside its full Chromium at `bundled`, if any. */
export function bundledHeadlessShell(bundled: string): string | undefined {
  const m = /^(.*)[\\/]chromium-(\d+)[\\/]/.exec(bundled);
  if (!m) return undefined;
  const dir = path.join(m[1]!, `chromium_headless_shell-${m[2]!}`);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const entry of entries.filter((e) => e.startsWith('chrome-headless-shell'))) {
    for (const name of ['chrome-headless-shell', 'chrome-headless-shell.exe']) {
      const candidate = path.join(dir, entry, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Path of the Chromium a run launches, or undefined when none is found. Order: HARNESS_CHROMIUM
 *  (must be an executable file); Playwright's headless shell, then its full Chromium; the system's
 *  `SYSTEM_CHROMIUMS`, headless shell first. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.HARNESS_CHROMIUM;
  if (explicit) return executableFile(explicit) ? explicit : undefined;
  try {
    const bundled = playwright().chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundledHeadlessShell(bundled) ?? bundled;
  } catch {
    // playwright throws when its browsers were never installed
  }
  return SYSTEM_CHROMIUMS.find((p) => existsSync(p));
}

function browserNotFound(env: NodeJS.ProcessEnv): BrowserNotFound {
  return new BrowserNotFound(
    env.HARNESS_CHROMIUM
      ? `HARNESS_CHROMIUM=${env.HARNESS_CHROMIUM}: not an executable file`
      : 'no Chromium found: run `npm run setup` (installs Playwright\'s Chromium or Debian\'s chromium) or set HARNESS_CHROMIUM',
  );
}

/** Throws (BrowserNotFound, a one-line message) when findChromium would find no browser. A system
 *  Chromium answers the question without loading Playwright, which costs a process about a CPU-second
 *  (measured in the CLI, which asks while the suites load and the provider answers its first checks,
 *  on the same cores); which of the browsers a run launches is still findChromium's choice. */
export function assertChromiumAvailable(env: NodeJS.ProcessEnv = process.env): void {
  // findChromium answers HARNESS_CHROMIUM without Playwright; only its own search needs it.
  const systemOne = !env.HARNESS_CHROMIUM && SYSTEM_CHROMIUMS.some((p) => existsSync(p));
  if (!systemOne && !findChromium(env)) throw browserNotFound(env);
}

export function launchOptions(env: NodeJS.ProcessEnv = process.env): LaunchOptions {
  const executablePath = findChromium(env);
  if (!executablePath) throw browserNotFound(env);
  // A TLS target's host name goes to loopback and its run certificate's key is pinned; every other
  // host outside this machine is kept out (fonts, updates, safe browsing). First matching rule wins.
  const trust = trustFromEnv(env);
  const rules = [...(trust ? [`MAP ${trust.hostname} 127.0.0.1`] : []), 'MAP * ~NOTFOUND', 'EXCLUDE 127.0.0.1', 'EXCLUDE localhost'].join(' , ');
  return {
    executablePath,
    args: ['--disable-gpu', '--disable-quic', '--disable-sync', `--host-resolver-rules=${rules}`, ...(trust ? [`--ignore-certificate-errors-spki-list=${trust.spki}`] : [])],
  };
}

const NAMED_BROWSER_FAILED = (named: string) => `HARNESS_CHROMIUM=${named}: not a Chromium Playwright can launch`;

/** Launches the Chromium findChromium finds. One that HARNESS_CHROMIUM names and Playwright cannot
 *  launch (an executable that is not a browser: /bin/true) fails with one line naming the setting
 *  (namedBrowserFailure finds it in a run's results), not Playwright's launch log. */
export async function launchBrowser(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const options = launchOptions(env);
  try {
    return await playwright().chromium.launch(options);
  } catch (err) {
    if (!env.HARNESS_CHROMIUM) throw err;
    throw new BrowserNotFound(`${NAMED_BROWSER_FAILED(env.HARNESS_CHROMIUM)} (${launchFailure(err instanceof Error ? err.message : String(err))}): name the browser binary itself, e.g. /usr/bin/chromium-headless-shell`);
  }
}

/** What became of a launch, from Playwright's launch log: the process's exit, what it said, or
 *  Playwright's own first line. */
function launchFailure(message: string): string {
  // eslint-disable-next-line no-control-regex
  const log = message.replace(/\u001b\[[0-9;]*m/g, '');
  const exit = /<process did exit: exitCode=(\w+), signal=(\w+)>/.exec(log);
  const said = /\]\[err\] (.+)/.exec(log)?.[1];
  const ended = exit && (exit[2] !== 'null' ? `ended by ${exit[2]}` : `exited with code ${exit[1]}`);
  if (ended) return `it ${ended} before it answered${said ? `, saying: ${said.trim()}` : ''}`;
  return log.split('\n')[0]!.replace(/^browserType\.launch: /, '');
}

/** The line a check's error carries when the browser HARNESS_CHROMIUM names could not be launched
 *  (launchBrowser), from the first such message among `messages`: a mistake in the setting (exit
 *  2), not a verdict. */
export function namedBrowserFailure(messages: Iterable<string | undefined>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.HARNESS_CHROMIUM) return undefined;
  const start = NAMED_BROWSER_FAILED(env.HARNESS_CHROMIUM);
  for (const m of messages) if (m?.includes(start)) return m.slice(m.indexOf(start));
  return undefined;
}

/** Bounds of one browser action (click, fill, screenshot) and one navigation, ms. */
export const ACTION_TIMEOUT_MS = 10_000;
export const NAVIGATION_TIMEOUT_MS = 15_000;

/** A new context of `browser` whose actions and navigations fail within their bounds: a stuck page
 *  is the check's own failure (with its screenshot and trace), well inside Playwright's 30 s test
 *  timeout, which would end the test without either and replace its worker. Playwright Test's
 *  `use: { actionTimeout, navigationTimeout }` reach only contexts made through its full `test`,
 *  which the suites do not use (suites/harness.ts). */
export async function newContext(browser: Browser, bounds: { actionMs: number; navigationMs: number } = { actionMs: ACTION_TIMEOUT_MS, navigationMs: NAVIGATION_TIMEOUT_MS }): Promise<BrowserContext> {
  const context = await browser.newContext();
  context.setDefaultTimeout(bounds.actionMs);
  context.setDefaultNavigationTimeout(bounds.navigationMs);
  return context;
}
