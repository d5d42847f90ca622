// Authelia's login portal (4.39.2+), a React app: first factor, the one-time password as six
// separate inputs that submit themselves after the last digit, and the OpenID consent page with
// accept, deny, "remember" (pre-configured consent) and, for prompt=login or max_age, a password
// to type again before Accept is enabled. Selectors from Authelia's portal (authelia-oidc-facts.md).

import type { Page } from 'playwright';
import type { FormLoginSelectors } from '../../model/target.ts';
import { totp } from '../../browser/totp.ts';
import { beginAuthorization, expectLoginPage, fillSecret, LoginError, nextStep, type CompleteOptions, type Landing } from '../../browser/steps.ts';

export const AUTHELIA_SELECTORS: FormLoginSelectors = {
  username: '#username-textfield',
  password: '#password-textfield',
  submit: '#sign-in-button',
  consentAccept: '#openid-consent-accept',
  consentDeny: '#openid-consent-deny',
  consentRemember: '#pre-configure',
  otp: '#otp-input input',
};

const S = AUTHELIA_SELECTORS;
const REAUTH = '#openid-consent-prompt-login';
/** Authelia's own error page (an unregistered redirect_uri and other refusals, 4.39.3+). */
const COMPLETION = '#openid-completion-stage';

/** The portal's login, second-factor and consent routes; its error page (/consent/completion)
 *  is not one: a refusal there is what raw HTTP sees and judges. */
export function autheliaPortalPage(url: URL): boolean {
  if (url.pathname.startsWith('/consent/completion')) return false;
  return url.pathname === '/' || url.pathname.startsWith('/2fa/') || url.pathname.startsWith('/consent/openid');
}

export async function signInAuthelia(page: Page, username: string, password: string): Promise<void> {
  await expectLoginPage(page, S.username);
  await page.fill(S.username, username);
  await fillSecret(page, S.password, password);
  // The portal signs in through its API and re-renders: the API's answer is the event to wait on.
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/api/firstfactor')), page.click(S.submit)]);
}

/** Types a code into the six inputs, one digit each (the last one submits). */
async function typeOtp(page: Page, code: string): Promise<void> {
  const inputs = page.locator(S.otp!);
  for (let i = 0; i < code.length; i++) await inputs.nth(i).fill(code[i]!);
}

export async function completeAuthelia(page: Page, authorizationUrl: URL, options: CompleteOptions & { remember?: boolean }): Promise<Landing> {
  const flow = await beginAuthorization(page, authorizationUrl, options);
  const steps = flow.steps;
  for (;;) {
    const next = await nextStep(page, flow, `${S.username}, ${S.otp}, ${S.consentAccept}, ${COMPLETION}`, 'Authelia login, one-time password or consent page', options.redirectUri);
    if (next.kind === 'landed') return { url: next.url, steps };
    const remaining = next.remaining;
    if (await page.locator(COMPLETION).isVisible()) throw new LoginError(`Authelia shows its error page (${page.url().split('?')[0]}) instead of sending the browser to ${options.redirectUri}`);
    if (await page.locator(S.username).isVisible()) {
      if (steps.includes('login')) throw new LoginError(`login page shown again after signing in as ${options.user.username} (wrong password?)`);
      steps.push('login');
      await signInAuthelia(page, options.user.username, options.user.password);
      await page.locator(S.username).waitFor({ state: 'hidden', timeout: remaining }).catch(() => undefined);
      continue;
    }
    if (await page.locator(S.otp!).first().isVisible()) {
      if (!options.user.totpSecret) throw new LoginError(`Authelia asks ${options.user.username} for a one-time password, but the profile gives no totp_secret`);
      if (steps.includes('otp')) throw new LoginError(`one-time password page shown again for ${options.user.username} (code refused?)`);
      steps.push('otp');
      await typeOtp(page, totp(options.user.totpSecret));
      await page.locator(S.otp!).first().waitFor({ state: 'hidden', timeout: remaining }).catch(() => undefined);
      continue;
    }
    steps.push('consent');
    if (await page.locator(REAUTH).isVisible()) await fillSecret(page, `${REAUTH} ${S.password}`, options.user.password);
    if (options.remember && (await page.locator(S.consentRemember!).isVisible())) await page.locator(S.consentRemember!).check();
    const button = options.consent === 'deny' ? S.consentDeny! : S.consentAccept!;
    // Accept stays disabled until the re-authentication password is in: wait for it to be enabled.
    await page.locator(`${button}:not([disabled])`).click({ timeout: remaining });
    await Promise.race([flow.landed, page.locator(S.consentAccept!).waitFor({ state: 'hidden', timeout: remaining })]).catch(() => undefined);
  }
}
