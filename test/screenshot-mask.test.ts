// Failure screenshots never show what was typed into password or one-time-password inputs.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { launchBrowser } from '../src/browser/launch.ts';
import { screenshot } from '../suites/harness.ts';
import { loginPage, otpPage } from '../src/targets/embedded/pages.ts';
import { EMBEDDED_SELECTORS, fillSecret } from '../src/browser/drivers.ts';
import { loadProfile } from '../src/config/profile.ts';
import { RUN_INPUTS_ENV, writeRunInputs } from '../src/session/run-inputs.ts';
import { tempDir } from './thrown.ts';

let browser: Browser;
const dir = tempDir('harness-mask-');
const saved = { HARNESS_REPORT_DIR: process.env.HARNESS_REPORT_DIR, [RUN_INPUTS_ENV]: process.env[RUN_INPUTS_ENV] };

beforeAll(async () => {
  browser = await launchBrowser();
  process.env.HARNESS_REPORT_DIR = dir;
  // As in a worker of a run against the default target: its login driver's selectors are masked too.
  const inputs = path.join(dir, 'inputs.json');
  writeRunInputs(inputs, { profile: loadProfile(path.resolve(import.meta.dirname, '../docker/reference'), { verifyDigests: false }), scenarios: [] });
  process.env[RUN_INPUTS_ENV] = inputs;
});
afterAll(async () => {
  await browser?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function shotOf(html: string, selector: string, typed: string, masked: boolean): Promise<Buffer> {
  const page: Page = await browser.newPage({ viewport: { width: 640, height: 400 } });
  try {
    await page.setContent(html);
    await fillSecret(page, selector, typed);
    await page.locator(selector).blur();
    if (!masked) return await page.screenshot({ fullPage: true });
    const [evidence] = await screenshot(page, 'mask-test', 'page');
    return readFileSync(path.join(dir, evidence!.file!));
  } finally {
    await page.close();
  }
}

describe('failure screenshots mask typed secrets', () => {
  it.each([
    ['the one-time password', otpPage('uid', 'kasm'), EMBEDDED_SELECTORS.otp!],
    ['the password', loginPage('uid', 'kasm'), EMBEDDED_SELECTORS.password],
  ])('%s typed is not visible: two different values give the same masked screenshot', async (_what, html, selector) => {
    // Unmasked, the typed value shows (a password as dots, so the lengths differ): the comparison can see it.
    expect((await shotOf(html, selector, '12', false)).equals(await shotOf(html, selector, '987654321987', false))).toBe(false);
    expect((await shotOf(html, selector, '12', true)).equals(await shotOf(html, selector, '987654321987', true))).toBe(true);
  });
});
