// glewlwyd's login app in a real browser. It is one page (login.html) that re-renders: sign-in
// form, then a grant card listing the scopes (each one a checkbox to tick), then "Continue",
// which loads the callback_url with g_continue and so reaches the relying party.

import type { Page } from 'playwright';
import type { FormLoginSelectors } from '../../model/target.ts';
import { beginAuthorization, expectLoginPage, fillSecret, LoginError, nextStep, type CompleteOptions, type Landing } from '../../browser/steps.ts';

/** glewlwyd's login app (login.html): sign-in form, then a grant card, then "Continue". It has no
 *  deny button: a user who refuses just leaves. */
export const GLEWLWYD_SELECTORS: FormLoginSelectors = {
  username: '#username',
  password: '#password',
  submit: '#loginbut',
  consentAccept: 'button.btn-primary:has-text("Grant access")',
};

const S = GLEWLWYD_SELECTORS;

const CONTINUE = 'button[title="Continue to client application"]';

export async function signInGlewlwyd(page: Page, username: string, password: string): Promise<void> {
  await expectLoginPage(page, S.username);
  await page.fill(S.username, username);
  await fillSecret(page, S.password, password);
  // The app signs in through its API and re-renders: the API's answer is the event to wait on.
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/api/auth/')), page.click(S.submit)]);
}

export async function completeGlewlwyd(page: Page, authorizationUrl: URL, options: CompleteOptions): Promise<Landing> {
  const flow = await beginAuthorization(page, authorizationUrl, options);
  const steps = flow.steps;
  for (;;) {
    const next = await nextStep(page, flow, `${S.username}, ${S.consentAccept}, ${CONTINUE}`, 'glewlwyd login card', options.redirectUri);
    if (next.kind === 'landed') return { url: next.url, steps };
    const remaining = next.remaining;
    if (await page.locator(S.username).isVisible()) {
      if (steps.includes('login')) throw new LoginError(`login card shown again after signing in as ${options.user.username} (wrong password?)`);
      steps.push('login');
      await signInGlewlwyd(page, options.user.username, options.user.password);
      await page.locator(S.username).waitFor({ state: 'hidden', timeout: remaining }).catch(() => undefined);
      continue;
    }
    if (await page.locator(S.consentAccept!).isVisible()) {
      if (options.consent === 'deny') throw new LoginError('glewlwyd has no deny button on its grant card');
      steps.push('consent');
      // The app re-renders the card on each tick, so a click (not check(), which re-reads the
      // state it set) per box, each awaited before the next.
      const unticked = page.locator('input[type=checkbox][id^="grant-"]:not(:checked)');
      for (let i = 0; i < 20 && (await unticked.count()) > 0; i++) await unticked.first().click();
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/api/auth/grant/')), page.click(S.consentAccept!)]);
      continue;
    }
    await Promise.all([flow.landed.catch(() => undefined), page.click(CONTINUE)]);
  }
}
