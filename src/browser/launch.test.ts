import { describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from './launch.ts';

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
