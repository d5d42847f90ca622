// The steps every browser login driver is made of: begin an authorization, wait for the next
// page or the relying party, type a secret, answer a generic form. Provider drivers
// (src/providers/<name>/) compose these; src/browser/drivers.ts picks the driver for a profile.

import type { Page } from 'playwright';
import type { FormLoginSelectors, TestUser } from '../model/target.ts';
import { totp } from './totp.ts';
import type { PageKind } from '../protocol/forms.ts';

export interface CompleteOptions {
  user: TestUser;
  redirectUri: string;
  consent?: 'accept' | 'deny';
  /** Tick "remember" on a consent page that offers it (pre-configured consent). */
  remember?: boolean;
  timeoutMs?: number;
}

export interface Landing {
  url: URL;
  /** What the browser went through on the provider's side. */
  steps: Array<'login' | 'otp' | 'consent'>;
}

export class LoginError extends Error {
  /** The driver recognised none of the provider's pages (its selectors matched nothing shown):
   *  whether the provider or the login driver is at fault cannot be told, so no check pins it on
   *  the provider. */
  readonly unrecognised: boolean;
  constructor(message: string, options: { unrecognised?: boolean } = {}) {
    super(message);
    this.unrecognised = options.unrecognised ?? false;
  }
}

/** What a check says of a sign-in the driver could not answer because it knew none of the pages
 *  (LoginError.unrecognised): the check's error, never a verdict of the provider. */
export function unrecognisedLogin(err: LoginError): string {
  return `the login driver recognised none of the provider's pages (a profile's own login.selectors may not match them): ${err.message.split('\n')[0]}`;
}

/** Types a secret without it becoming part of a recorded step title (Playwright reports
 *  `fill "<value>"`): the value goes in through the native setter, which React inputs observe. */
export async function fillSecret(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).first().evaluate((el, v) => {
    const input = el as HTMLInputElement;
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')?.set;
    if (setter) setter.call(input, v);
    else input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Waits, within the page's action bound, for the login page's username field: a page without it
 *  is none the driver knows (LoginError, unrecognised), so what it shows is not judged. */
export async function expectLoginPage(page: Page, usernameSelector: string): Promise<void> {
  await page.locator(usernameSelector).first().waitFor({ state: 'visible' }).catch((err: unknown) => {
    throw new LoginError(`no login page: ${usernameSelector} did not appear on ${page.url()} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, { unrecognised: true });
  });
}

/** A login driver in the browser: the whole authorization, and one sign-in attempt on its own. */
export interface BrowserDriver {
  readonly selectors: FormLoginSelectors;
  complete(page: Page, authorizationUrl: URL, options: CompleteOptions): Promise<Landing>;
  /** Types credentials on the login page shown and submits; resolves once the provider answered. */
  signIn(page: Page, username: string, password: string): Promise<void>;
  /** A page of a JavaScript login app that raw HTTP can neither read nor answer: only the
   *  browser can tell whether it asks for something or refuses. */
  opaque?(url: URL): boolean;
}

/** What the provider's page in the browser asks of the user, by the driver's selectors. */
export async function visibleKind(page: Page, selectors: FormLoginSelectors): Promise<PageKind> {
  const shown = async (sel?: string) => (sel ? page.locator(sel).first().isVisible().catch(() => false) : false);
  if (await shown(selectors.otp)) return 'otp';
  if (await shown(selectors.username)) return 'login';
  if (await shown(selectors.consentAccept)) return 'consent';
  return 'unknown';
}

/** Opens `authorizationUrl`, watching for the browser being sent to the redirect URI: the start
 *  every driver shares. */
export async function beginAuthorization(page: Page, authorizationUrl: URL, options: CompleteOptions): Promise<{ timeout: number; deadline: number; steps: Landing['steps']; landed: Promise<URL> }> {
  const timeout = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeout;
  // The redirect to the RP is seen as a navigation request, even on a redirect hop.
  const landed = page
    .waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(options.redirectUri), { timeout })
    .then((r) => {
      const url = new URL(r.url());
      // response_mode=form_post: the response is the posted form, read into the query.
      if (r.method() === 'POST') for (const [k, v] of new URLSearchParams(r.postData() ?? '')) url.searchParams.append(k, v);
      return url;
    });
  landed.catch(() => undefined);
  await page.goto(authorizationUrl.href, { waitUntil: 'commit', timeout }).catch(() => undefined);
  return { timeout, deadline, steps: [], landed };
}

/** Waits for the browser to land on the redirect URI or for one of `ui` to show, within the
 *  flow's deadline; `what` names the pages in the error. */
export async function nextStep(page: Page, flow: { timeout: number; deadline: number; steps: Landing['steps']; landed: Promise<URL> }, ui: string, what: string, redirectUri: string): Promise<{ kind: 'landed'; url: URL } | { kind: 'ui'; remaining: number }> {
  const remaining = flow.deadline - Date.now();
  // Before any page was answered, a page the driver does not know may be the driver's fault.
  const unrecognised = flow.steps.length === 0;
  if (remaining <= 0) throw new LoginError(`no redirect to ${redirectUri} within ${flow.timeout} ms (last page ${page.url()})`, { unrecognised });
  return Promise.race([
    flow.landed.then((url) => ({ kind: 'landed' as const, url })),
    page.locator(ui).first().waitFor({ state: 'visible', timeout: remaining }).then(() => ({ kind: 'ui' as const, remaining: flow.deadline - Date.now() })),
  ]).catch((err: unknown) => {
    throw new LoginError(`no redirect to ${redirectUri} and no ${what} (last page ${page.url()}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { unrecognised });
  });
}

/** Navigates to `authorizationUrl` and answers login and consent until the browser is sent to `redirectUri`. */
export async function completeAuthorization(page: Page, selectors: FormLoginSelectors, authorizationUrl: URL, options: CompleteOptions): Promise<Landing> {
  const flow = await beginAuthorization(page, authorizationUrl, options);
  const steps = flow.steps;
  const ui = [selectors.username, selectors.otp, selectors.consentAccept].filter(Boolean).join(', ');
  for (;;) {
    const next = await nextStep(page, flow, ui, 'login or consent page', options.redirectUri);
    if (next.kind === 'landed') return { url: next.url, steps };
    const remaining = next.remaining;
    if (await page.locator(selectors.username).isVisible()) {
      if (steps.filter((s) => s === 'login').length >= 2) throw new LoginError(`login page shown again after signing in as ${options.user.username} (wrong password?)`);
      steps.push('login');
      await page.fill(selectors.username, options.user.username);
      await fillSecret(page, selectors.password, options.user.password);
      await Promise.all([page.waitForEvent('framenavigated', { timeout: remaining }).catch(() => undefined), page.click(selectors.submit)]);
      continue;
    }
    if (selectors.otp && (await page.locator(selectors.otp).isVisible())) {
      if (!options.user.totpSecret) throw new LoginError(`the provider asks ${options.user.username} for a one-time password, but the profile gives no totp_secret`);
      steps.push('otp');
      await fillSecret(page, selectors.otp, totp(options.user.totpSecret));
      await Promise.all([page.waitForEvent('framenavigated', { timeout: remaining }).catch(() => undefined), page.click(selectors.otpSubmit ?? `${selectors.otp} >> xpath=ancestor::form//button`)]);
      continue;
    }
    steps.push('consent');
    const button = options.consent === 'deny' ? selectors.consentDeny : selectors.consentAccept;
    if (!button) throw new LoginError('the provider shows a consent page but the login driver has no consent selectors');
    await Promise.all([page.waitForEvent('framenavigated', { timeout: remaining }).catch(() => undefined), page.click(button)]);
  }
}
