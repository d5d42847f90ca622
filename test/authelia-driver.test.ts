// The Authelia login driver in a real browser against the portal's page structure (no image can
// be pulled here): first factor, six-digit TOTP, consent accept / deny / remember, the
// re-authentication password, the error page, and a refused password.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import { launchBrowser, findChromium } from '../src/browser/launch.ts';
import { completeAuthelia, signInAuthelia, autheliaPortalPage, AUTHELIA_SELECTORS } from '../src/providers/authelia/browser-driver.ts';
import { LoginError } from '../src/browser/drivers.ts';
import { startPortal, type Portal } from './fixtures/authelia-portal.ts';

const user = { username: 'john', password: 'john-test-password', totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', claims: {} };

describe.skipIf(!findChromium())('Authelia login driver', () => {
  let browser: Browser;
  let rp: http.Server;
  let redirectUri: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    rp = http.createServer((_q, s) => s.end('rp'));
    await new Promise<void>((r) => rp.listen(0, '127.0.0.1', () => r()));
    redirectUri = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/callback`;
  });
  afterAll(async () => {
    await browser.close();
    await new Promise<void>((r) => rp.close(() => r()));
  });

  const withPortal = async (fn: (portal: Portal) => Promise<void>) => {
    const portal = await startPortal(user, redirectUri);
    try {
      await fn(portal);
    } finally {
      await portal.close();
    }
  };
  const auth = (portal: Portal, extra: Record<string, string> = {}) => new URL(`${portal.origin}/api/oidc/authorization?${new URLSearchParams({ client_id: 'kasm', redirect_uri: redirectUri, state: 'st4te-0123456789', ...extra })}`);

  it('signs in, types the code into the six inputs, accepts consent and lands with the code', () =>
    withPortal(async (portal) => {
      const page = await browser.newPage();
      const landing = await completeAuthelia(page, auth(portal), { user, redirectUri });
      expect(landing.steps).toEqual(['login', 'otp', 'consent']);
      expect(landing.url.searchParams.get('code')).toBe('authelia_ac_test');
      expect(portal.log).toEqual(['firstfactor ok', 'totp ok', 'consent accept']);
      await page.close();
    }));

  it('denies consent and ticks "remember" when asked', () =>
    withPortal(async (portal) => {
      const page = await browser.newPage();
      const denied = await completeAuthelia(page, auth(portal), { user, redirectUri, consent: 'deny' });
      expect(denied.url.searchParams.get('error')).toBe('access_denied');
      const remembered = await completeAuthelia(page, auth(portal), { user, redirectUri, remember: true });
      expect(remembered.url.searchParams.get('code')).toBe('authelia_ac_test');
      expect(portal.log.slice(-1)).toEqual(['consent accept remember']);
      await page.close();
    }));

  it('types the password again when consent asks for re-authentication (prompt=login)', () =>
    withPortal(async (portal) => {
      const page = await browser.newPage();
      const landing = await completeAuthelia(page, auth(portal, { prompt: 'login' }), { user, redirectUri });
      expect(landing.url.searchParams.get('code')).toBe('authelia_ac_test');
      expect(portal.log.at(-1)).toBe('consent accept');
      await page.close();
    }));

  it("stops at once on Authelia's error page", () =>
    withPortal(async (portal) => {
      const page = await browser.newPage();
      const started = Date.now();
      await expect(completeAuthelia(page, auth(portal, { redirect_uri: 'https://rp.invalid/cb' }), { user, redirectUri: 'https://rp.invalid/cb', timeoutMs: 10_000 })).rejects.toThrow(LoginError);
      expect(Date.now() - started).toBeLessThan(5_000);
      await page.close();
    }));

  it("says at once that a page without the portal's login form is none it knows (unrecognised), so no check judges it", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(500);
    await page.setContent('<p>Welcome</p>');
    const err = await signInAuthelia(page, user.username, user.password).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(LoginError);
    expect((err as LoginError).unrecognised).toBe(true);
    expect((err as Error).message).toMatch(/^no login page: #username-textfield did not appear/);
    await page.close();
  });

  it('a refused password leaves the login form shown', () =>
    withPortal(async (portal) => {
      const page = await browser.newPage();
      await page.goto(auth(portal).href);
      await signInAuthelia(page, user.username, 'wrong-password');
      expect(await page.locator(AUTHELIA_SELECTORS.username).isVisible()).toBe(true);
      expect(portal.log).toEqual(['firstfactor refused']);
      await page.close();
    }));

  it('knows its portal pages from its error page', () => {
    expect(autheliaPortalPage(new URL('https://a.example.com:1/?flow=openid_connect&flow_id=1'))).toBe(true);
    expect(autheliaPortalPage(new URL('https://a.example.com:1/consent/openid/decision?flow_id=1'))).toBe(true);
    expect(autheliaPortalPage(new URL('https://a.example.com:1/consent/completion?error=invalid_request'))).toBe(false);
  });
});
