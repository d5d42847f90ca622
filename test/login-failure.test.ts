// A worker's login that cannot be completed (a login driver whose selectors match nothing on the
// provider's pages, or pages that never lead anywhere) fails every check that needs it at once,
// with the first attempt's reason, instead of each check waiting out the driver's bound again; a
// selector Playwright cannot parse is the check's error, not the provider's failure.

import { describe, expect, it } from 'vitest';
import { LoginError, type BrowserDriver } from '../src/browser/drivers.ts';
import { outcomeOf } from '../src/checks/verdict.ts';
import { withFreshPage } from '../suites/harness.ts';
import { env } from './embedded-env.ts';
import { workerSession } from './worker-session.ts';

describe("WorkerSession: the worker's login failed", () => {
  it('the first authorization fails with the reason, the next at once with the same error', async () => {
    // Selectors that match nothing on the reference's pages: raw HTTP cannot answer them, so the
    // login goes to the browser, whose driver (a stand-in here) gives up.
    const nothing = { username: '#no-such-user-field', password: '#no-such-password', submit: '#no-such-button' };
    const e = await env([], (p) => ({ ...p, login: { driver: 'form', selectors: nothing } }));
    const s = workerSession(e);
    let attempts = 0;
    const driver: BrowserDriver = {
      selectors: nothing,
      complete: async () => {
        attempts++;
        throw new LoginError('no redirect to the redirect URI and no login or consent page');
      },
      signIn: async () => undefined,
    };
    (s as unknown as { driver: BrowserDriver }).driver = driver;
    const client = e.client('basic');
    const first = await s.authorize(await s.request(client)).then(() => undefined, (err: unknown) => err);
    expect(first).toBeInstanceOf(LoginError);
    expect((first as Error).message).toBe('john could not be signed in (this worker\'s login; every check that needs it fails with this): no redirect to the redirect URI and no login or consent page');
    const started = Date.now();
    const again = await s.authorize(await s.request(e.client('post'))).then(() => undefined, (err: unknown) => err);
    expect(again).toBe(first);
    expect(attempts).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('a login selector Playwright cannot parse', () => {
  it("is the check's error (the profile's mistake), not a failure blamed on the provider", async () => {
    const e = await env([]);
    const s = workerSession(e);
    const err = await withFreshPage(s, 'selector', async (page) => {
      await page.setContent('<input id="username">');
      await page.fill('###', 'john');
    }).then(() => undefined, (x: unknown) => x);
    expect((err as Error).message).toMatch(/while parsing css selector "###"/);
    const verdict = outcomeOf(err, { id: 'login.ui-login-consent', title: 't', severity: 'failure', spec: 's' });
    expect(verdict.outcome).toBe('error');
  });
});
