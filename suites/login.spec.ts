import { check, collectProfile, skip, test, withFreshPage, type WorkerSession } from './harness.ts';
import * as l from '../src/checks/login.ts';
import { expectConfigured } from '../src/checks/basis.ts';
import type { ClientSpec } from '../src/model/target.ts';

// Each check is a whole browser login of about a second: dispatched one by one, they spread over
// the workers instead of lengthening one (the other suites run in one worker each).
test.describe.configure({ mode: 'parallel' });

const suite = 'login';
const profile = collectProfile();
// Consent is shown to clients that do not skip it; prefer one so the UI check covers both pages.
const shown = (c: ClientSpec) => c.consentMode !== 'implicit';
const uiClient = profile.clients.find(shown) ?? profile.clients[0]!;

// prompt=consent: a consent the user gave earlier (another check, a pre-configured consent) must
// not decide whether these checks see the consent page (OIDC Core §3.1.2.1). Each check first
// gives that consent itself, so a provider that ignores the prompt fails whatever ran before.
const CONSENT = { params: { prompt: 'consent' } };

async function consentGivenBefore(session: WorkerSession, client: ClientSpec): Promise<void> {
  await session.authorize(await session.request(client, { params: { prompt: undefined } }));
}

check(suite, l.loginChecks.ui, async ({ session }) => {
  if (shown(uiClient)) await consentGivenBefore(session, uiClient);
  const req = await session.request(uiClient, shown(uiClient) ? CONSENT : undefined);
  await withFreshPage(session, l.loginChecks.ui.id, async (page) => {
    const landing = await session.driver.complete(page, req.url, { user: session.user, redirectUri: req.redirectUri });
    l.checkLanded(landing.url, req.redirectUri, req.state, landing.steps, shown(uiClient));
  });
}, uiClient);

check(suite, l.loginChecks.wrongPassword, async ({ session }) => {
  const req = await session.request(uiClient);
  await withFreshPage(session, l.loginChecks.wrongPassword.id, async (page) => {
    let sawRedirect = false;
    page.on('request', (r) => {
      if (r.url().startsWith(req.redirectUri)) sawRedirect = true;
    });
    await page.goto(req.url.href);
    const { username } = session.selectors;
    await session.driver.signIn(page, session.user.username, `${session.user.password}-wrong`);
    await page.locator(username).waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    l.checkStayedOnLogin(sawRedirect, await page.locator(username).isVisible(), page.url().split('?')[0] ?? '');
  });
}, uiClient);

const denyClient = profile.clients.find(shown);
check(suite, l.loginChecks.deny, async ({ session }) => {
  if (!denyClient) skip('every configured client skips consent (consent_mode implicit)');
  if (!session.selectors.consentDeny) skip('the login driver has no consent deny selector');
  await consentGivenBefore(session, denyClient);
  const req = await session.request(denyClient, CONSENT);
  await withFreshPage(session, l.loginChecks.deny.id, async (page) => {
    const landing = await session.driver.complete(page, req.url, { user: session.user, redirectUri: req.redirectUri, consent: 'deny' });
    l.checkDenied(landing.url, req.state, landing.steps);
  });
}, denyClient);

const twoFactorClient = profile.clients.find((c) => c.authorizationPolicy === 'two_factor');
check(suite, l.loginChecks.secondFactor, async ({ session, run }) => {
  if (!twoFactorClient) skip('no client has authorization_policy two_factor');
  expectConfigured(run.profile, twoFactorClient.sources.authorizationPolicy, `authorization_policy of ${twoFactorClient.id}`);
  if (!session.user.totpSecret) skip(`${session.user.username} has no totp_secret in the profile`);
  const req = await session.request(twoFactorClient);
  await withFreshPage(session, l.loginChecks.secondFactor.id, async (page) => {
    const landing = await session.driver.complete(page, req.url, { user: session.user, redirectUri: req.redirectUri });
    l.checkSecondFactorStep(landing.steps, landing.url, req.redirectUri, twoFactorClient.sources.authorizationPolicy ?? 'authorization_policy = two_factor');
  });
}, twoFactorClient);
