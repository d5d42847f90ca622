// Which Chromium a run launches: a headless shell before a full browser (a quarter of the CPU per
// page), Playwright's own before the system's, HARNESS_CHROMIUM before all.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertChromiumAvailable, bundledHeadlessShell, findChromium, launchBrowser, namedBrowserFailure, newContext } from './launch.ts';
import { tempDir } from '../../test/thrown.ts';

function registry(withShell: boolean): { full: string; shell: string } {
  const root = tempDir('pw-registry-');
  const full = path.join(root, 'chromium-1255', 'chrome-linux64', 'chrome');
  const shell = path.join(root, 'chromium_headless_shell-1255', 'chrome-headless-shell-linux64', 'chrome-headless-shell');
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, '', { mode: 0o755 });
  if (withShell) {
    mkdirSync(path.dirname(shell), { recursive: true });
    writeFileSync(shell, '', { mode: 0o755 });
  }
  return { full, shell };
}

describe('findChromium', () => {
  it("finds the headless shell Playwright installs beside its Chromium, of the same revision", () => {
    const { full, shell } = registry(true);
    expect(bundledHeadlessShell(full)).toBe(shell);
  });

  it('has no shell to offer when Playwright installed none (install --no-shell)', () => {
    expect(bundledHeadlessShell(registry(false).full)).toBeUndefined();
    expect(bundledHeadlessShell('/usr/bin/chromium')).toBeUndefined();
  });

  it('takes HARNESS_CHROMIUM when it is an executable file, and nothing else when it is not', () => {
    const { full } = registry(false);
    expect(findChromium({ HARNESS_CHROMIUM: full })).toBe(full);
    expect(findChromium({ HARNESS_CHROMIUM: `${full}-missing` })).toBeUndefined();
    // A folder (the browser's install folder, say) or a file that cannot run is not a browser.
    expect(findChromium({ HARNESS_CHROMIUM: path.dirname(full) })).toBeUndefined();
    const plain = path.join(path.dirname(full), 'README');
    writeFileSync(plain, '', { mode: 0o644 });
    expect(findChromium({ HARNESS_CHROMIUM: plain })).toBeUndefined();
  });
});

describe('newContext', () => {
  it('bounds every action of its pages (Playwright Test\'s use: options do not reach it)', async () => {
    const browser = await launchBrowser();
    try {
      const context = await newContext(browser, { actionMs: 300, navigationMs: 300 });
      const page = await context.newPage();
      await page.setContent('<p>no button here</p>');
      const started = Date.now();
      const err = await page.click('#missing').then(() => undefined, (e: unknown) => e);
      expect(String(err)).toMatch(/Timeout 300ms exceeded/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await browser.close();
    }
  }, 30_000);
});

describe('assertChromiumAvailable', () => {
  it('answers as findChromium does, with the one-line reason when there is none', () => {
    const { full } = registry(false);
    expect(() => assertChromiumAvailable({ HARNESS_CHROMIUM: full })).not.toThrow();
    expect(() => assertChromiumAvailable({ HARNESS_CHROMIUM: path.dirname(full) })).toThrow(`HARNESS_CHROMIUM=${path.dirname(full)}: not an executable file`);
    const found = findChromium({});
    if (found) expect(() => assertChromiumAvailable({})).not.toThrow();
    else expect(() => assertChromiumAvailable({})).toThrow(/^no Chromium found: run `npm run setup`/);
  });
});

describe('launchBrowser with HARNESS_CHROMIUM naming an executable that is not a browser', () => {
  // Was Playwright's launch log (every flag it passes, then the process's end), on every browser check.
  it('fails with one line naming the setting and what the executable did; a run finds that line in its results', async () => {
    const env = { ...process.env, HARNESS_CHROMIUM: '/bin/true' };
    const err = (await launchBrowser(env).then(() => undefined, (e: unknown) => e)) as Error;
    expect(err.message).toBe('HARNESS_CHROMIUM=/bin/true: not a Chromium Playwright can launch (it exited with code 0 before it answered): name the browser binary itself, e.g. /usr/bin/chromium-headless-shell');
    expect(namedBrowserFailure(['passed', `the harness could not run login.success: ${err.message}`], env)).toBe(err.message);
    expect(namedBrowserFailure([`the harness could not run login.success: ${err.message}`], { HARNESS_CHROMIUM: '/usr/bin/other' })).toBeUndefined();
  }, 30_000);
});
