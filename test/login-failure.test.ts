// A worker's sign-in that cannot be completed (a login driver whose selectors match nothing on the
// provider's pages, or pages that never lead anywhere) fails every check that needs it for that
// client at once, with the first attempt's reason, instead of each check waiting out the driver's
// bound again, and the worker is kept (a new one would try again); a
// selector Playwright cannot parse is the check's error, not the provider's failure.

import { describe, expect, it } from 'vitest';
import { browserDriver, LoginError, type BrowserDriver } from '../src/browser/drivers.ts';
import { outcomeOf } from '../src/checks/verdict.ts';
import { withFreshPage } from '../suites/harness.ts';
import { runBatch, type CheckFixtures, type Declared, type RunningTest } from '../suites/check-run.ts';
import { createRedactor } from '../src/report/redact.ts';
import type { CheckResult } from '../src/model/check.ts';
import { env } from './embedded-env.ts';
import { workerSession } from './worker-session.ts';

describe("WorkerSession: the worker's login failed", () => {
  // Selectors that match nothing on the reference's pages: raw HTTP cannot answer them, so the
  // login goes to the browser, whose driver (a stand-in here) gives up.
  const nothing = { username: '#no-such-user-field', password: '#no-such-password', submit: '#no-such-button' };
  async function failing() {
    const e = await env([], (p) => ({ ...p, login: { driver: 'form', selectors: nothing } }));
    const s = workerSession(e);
    const attempts: string[] = [];
    const driver: BrowserDriver = {
      selectors: nothing,
      complete: async (_page, url) => {
        attempts.push(url.searchParams.get('client_id') ?? '?');
        throw new LoginError('no redirect to the redirect URI and no login or consent page', { unrecognised: true });
      },
      signIn: async () => undefined,
    };
    // The reader session is made from the main one; both get the stand-in driver.
    for (const session of [s, s.readerSession()]) (session as unknown as { driver: BrowserDriver }).driver = driver;
    return { e, s, attempts };
  }
  const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

  it('the first sign-in for a client fails with the reason; every later one for that client, in any of the user\'s sessions, at once with the same error', async () => {
    const { e, s, attempts } = await failing();
    const client = e.client('basic');
    const first = await errorOf(s.authorize(await s.request(client)));
    expect(first).toBeInstanceOf(LoginError);
    expect((first as Error).message).toBe(`john could not be signed in for ${client.id} (in this worker every check that needs it fails with this): no redirect to the redirect URI and no login or consent page`);
    // What the driver said of the pages stays with the kept failure: no check may pin it on the provider.
    expect((first as LoginError).unrecognised).toBe(true);
    const started = Date.now();
    expect(await errorOf(s.authorize(await s.request(client)))).toBe(first);
    expect(await errorOf(s.readerSession().authorize(await s.request(client)))).toBe(first);
    expect(await errorOf(s.authorizeFresh(await s.request(client)))).toBe(first);
    expect(attempts).toEqual([client.id]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("another client's sign-in is still tried: a provider may refuse one client on a page of its own while the others sign in", async () => {
    const { e, s, attempts } = await failing();
    await errorOf(s.authorize(await s.request(e.client('basic'))));
    const other = await errorOf(s.authorize(await s.request(e.client('post'))));
    expect((other as Error).message).toContain(`for ${e.client('post').id}`);
    expect(attempts).toEqual([e.client('basic').id, e.client('post').id]);
  });

  it("a check whose sign-in failed is an error, and its test an expected failure: the worker (and what it learned) is kept, not replaced", async () => {
    const { e, s } = await failing();
    const t = { timeout: 5_000, annotations: [] as Array<{ type: string; description?: string }>, attachments: [] as Array<{ name: string; body?: Buffer }>, expectedFailure: false, setTimeout() {}, fail() { t.expectedFailure = true; }, skip() { throw new Error('skipped'); } };
    const client = e.client('basic');
    const declared: Declared = { suite: 'userinfo', def: { id: 'userinfo.get', title: 't', severity: 'failure', spec: 's' }, client, body: async ({ session }) => void (await session.authorize(await session.request(client))) };
    const fx = { run: { redactor: createRedactor([]), profile: {} }, session: s } as unknown as CheckFixtures;
    await errorOf(runBatch([declared], fx, t as unknown as RunningTest));
    const [result] = t.attachments.map((a) => JSON.parse(a.body!.toString('utf8')) as CheckResult);
    expect(result).toMatchObject({ id: 'userinfo.get', outcome: 'error' });
    expect(t.expectedFailure).toBe(true);
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

describe('a login driver that recognises none of the provider\'s pages', () => {
  const nothing = { username: '#no-such-user-field', password: '#no-such-password', submit: '#no-such-button' };

  it("makes a browser check an error with the page's evidence, not a failure blamed on the provider (the selectors may be what is wrong)", async () => {
    const e = await env([]);
    const s = workerSession(e);
    const driver = browserDriver({ driver: 'form', selectors: nothing });
    const client = e.client('basic');
    const req = await s.request(client);
    const err = await withFreshPage(s, 'unrecognised', (page) => driver.complete(page, req.url, { user: s.user, redirectUri: req.redirectUri, timeoutMs: 1_500 })).then(() => undefined, (x: unknown) => x);
    const verdict = outcomeOf(err, { id: 'login.ui-login-consent', title: 't', severity: 'failure', spec: 's' });
    expect(verdict.outcome).toBe('error');
    expect(verdict.detail.message).toMatch(/^the login driver recognised none of the provider's pages .*no redirect to .* and no login or consent page/);
    expect(verdict.detail.evidence?.map((x) => x.label)).toContain("the browser's navigations (method, URL, status)");
  });

  it('the form driver\'s sign-in on a page without its username field says so at once, as unrecognised', async () => {
    const e = await env([]);
    const s = workerSession(e);
    const driver = browserDriver({ driver: 'form', selectors: nothing });
    const err = await withFreshPage(s, 'no-login-page', async (page) => {
      page.setDefaultTimeout(500);
      await page.setContent('<p>Welcome</p>');
      await driver.signIn(page, 'john', 'pw');
    }).then(() => undefined, (x: unknown) => x);
    const verdict = outcomeOf(err, { id: 'login.wrong-password-refused', title: 't', severity: 'failure', spec: 's' });
    expect(verdict.outcome).toBe('error');
    expect(verdict.detail.message).toMatch(/no login page: #no-such-user-field did not appear/);
  });
});
