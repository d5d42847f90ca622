// One scenario, end to end: the simulated application's home page in a browser, its login link,
// the provider's real login and consent pages (the profile's login driver), the callback handled
// by the application; then the verdict against what the scenario expects. In the conformance run
// (`overHttp`) the same steps go over raw HTTP where the provider's pages are plain forms, as the
// run's other logins do; the browser takes over wherever they are not.

import type { Browser } from 'playwright';
import type { ClaimsProfile, TargetProfile, TestUser } from '../model/target.ts';
import { LoginError, unrecognisedLogin, type BrowserDriver } from '../browser/drivers.ts';
import { CannotTell } from '../checks/verdict.ts';
import type { Redactor } from '../report/redact.ts';
import { parseHtml } from '../protocol/html.ts';
import { startApp, type Diagnosis, type LoginOutcome, type StartedApp } from '../rp/app.ts';
import { HttpSession } from '../protocol/session.ts';
import { appDriverFor, continueOverHttp } from '../protocol/form-flow.ts';
import { send } from '../http/exchange.ts';
import type { Scenario } from './schema.ts';
import { idTokenOnlyClaims } from './identity.ts';
import { newContext } from '../browser/launch.ts';

export interface ScenarioContext {
  profile: TargetProfile;
  issuer: string;
  /** The browser, or how to launch it where the scenario needs it (not at all over raw HTTP). */
  browser: Browser | (() => Promise<Browser>);
  driver: BrowserDriver;
  redactor: Redactor;
  timeoutMs?: number;
  /** Answer the provider's pages over raw HTTP where they are plain forms (or a login app with an
   *  API driver), as the conformance run's other logins do, and in the browser only where they
   *  need it. Default: the browser throughout, as a user sees it (`npm run scenario`, `--full`). */
  overHttp?: boolean;
}

/** `via`: how the provider's pages were answered. */
export type ScenarioVerdict = (
  | { outcome: 'passed'; login: LoginOutcome; message: string }
  | { outcome: 'failed'; login: LoginOutcome; message: string; diagnosis?: Diagnosis }
  | { outcome: 'skipped'; message: string }
) & { via?: 'raw HTTP' | 'browser' };

/** The claim value the scenario's user should be logged in as: the profile's value of the claim
 *  the application reads, else the login name for preferred_username; undefined: any value. */
function expectedUsername(s: Scenario, user: TestUser): string | undefined {
  const claims = Array.isArray(s.identity.username.claim) ? s.identity.username.claim : [s.identity.username.claim];
  for (const c of claims) {
    const v = user.claims[c];
    if (typeof v === 'string') return v;
    if (c === 'preferred_username') return user.username;
  }
  return undefined;
}

function expectedGroups(s: Scenario, user: TestUser): string[] | undefined {
  if ('logged_in' in s.expect && s.expect.groups) return s.expect.groups;
  if (!s.identity.groups) return undefined;
  const c = Array.isArray(s.identity.groups.claim) ? s.identity.groups.claim[0]! : s.identity.groups.claim;
  const v = user.claims[c];
  return Array.isArray(v) ? v.map(String) : undefined;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export async function runScenario(scenario: Scenario, ctx: ScenarioContext): Promise<ScenarioVerdict> {
  const client = ctx.profile.clients.find((c) => c.id === scenario.client);
  if (!client) return { outcome: 'skipped', message: `the target has no client ${scenario.client} (${ctx.profile.file})` };
  const user = scenario.user ? ctx.profile.users.find((u) => u.username === scenario.user) : ctx.profile.users[0];
  if (!user) return { outcome: 'skipped', message: `the target has no user ${scenario.user}` };
  const redirectUri = client.redirectUris.find((u) => u.startsWith('http://127.0.0.1:') || u.startsWith('http://localhost:'));
  if (!redirectUri) return { outcome: 'skipped', message: `${client.id} has no loopback redirect_uri for the simulated application` };
  const placement: ClaimsPlacement = { claimsProfile: ctx.profile.claimsProfile, idTokenClaims: client.idTokenClaims };
  const fix = ctx.profile.behaviour?.idTokenClaimsFix;
  const app = await startApp({ scenario, client, issuer: ctx.issuer, redactor: ctx.redactor, userHasGroups: (expectedGroups(scenario, user) ?? []).length > 0, ...(fix ? { idTokenClaimsFix: { label: ctx.profile.behaviour!.label, how: fix } } : {}) });
  try {
    if (ctx.overHttp && (await loginOverHttp(app.url, redirectUri, scenario, user, ctx))) return { ...judge(scenario, await callbackOutcome(app), user, placement), via: 'raw HTTP' };
    return { ...(await inBrowser(app, redirectUri, scenario, user, ctx, placement)), via: 'browser' };
  } finally {
    await app.stop();
  }
}

/** The login over raw HTTP: the application's home page, its login link, the provider's pages
 *  answered by the login driver's forms (or its login app's API), and the callback delivered to
 *  the application as the browser delivers it (a GET, or the form_post POST). False, before any
 *  callback, where a page needs the browser or the provider did not send the user back: the
 *  browser then does it all again from the home page, and what it sees is the diagnosis. */
async function loginOverHttp(appUrl: string, redirectUri: string, scenario: Scenario, user: TestUser, ctx: ScenarioContext): Promise<boolean> {
  const http = new HttpSession();
  const callback = await (async () => {
    const home = await http.follow(new URL(appUrl), redirectUri);
    const href = home.kind === 'page' ? parseHtml(home.body)('#login').attr('href') : undefined;
    if (!href) return undefined;
    const app = appDriverFor(ctx.profile.login);
    return continueOverHttp(http, await http.follow(new URL(href), redirectUri), redirectUri, { selectors: ctx.driver.selectors, user, ...(app ? { app } : {}) });
  })().catch(() => undefined);
  if (!callback) return false;
  // Delivered once: what the application makes of it (callbackOutcome) is the verdict, whatever
  // this request's own answer; a second login in the browser would start another one.
  // response_mode=form_post: the response was read from the auto-posting form into the query.
  const delivery = scenario.response_mode === 'form_post' ? send({ url: new URL(callback.pathname, callback.origin), form: Object.fromEntries(callback.searchParams) }) : send({ url: callback });
  await delivery.catch(() => undefined);
  return true;
}

/** What the application made of the callback: it answers within moments of receiving it; a
 *  bound, not a wait. */
async function callbackOutcome(app: StartedApp): Promise<LoginOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<LoginOutcome>((resolve) => (timer = setTimeout(() => resolve({ loggedIn: false, transcript: app.transcript(), diagnosis: { rule: 'provider.login', step: 'callback', title: 'the application got no callback within 10 s', source: 'harness bound', expected: 'a callback', observed: 'none' } }), 10_000)));
  const login = await Promise.race([app.outcome, late]);
  clearTimeout(timer);
  return login;
}

/** The login in a fresh browser context, from the application's home page. */
async function inBrowser(app: StartedApp, redirectUri: string, scenario: Scenario, user: TestUser, ctx: ScenarioContext, placement: ClaimsPlacement): Promise<ScenarioVerdict> {
  const context = await newContext(typeof ctx.browser === 'function' ? await ctx.browser() : ctx.browser);
  try {
    const page = await context.newPage();
    await page.goto(app.url);
    const link = page.locator('#login');
    // No login link: the application could not start a login (discovery failed); its page says why.
    const href = (await link.count()) ? await link.getAttribute('href') : null;
    if (href) {
      try {
        await ctx.driver.complete(page, new URL(href), { user, redirectUri, timeoutMs: ctx.timeoutMs ?? 10_000 });
      } catch (err) {
        const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        // What the provider shows instead (its error page says why it refused the request).
        const shown = (await page.locator('body').innerText({ timeout: 2_000 }).catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 300);
        const where = page.url().split('?')[0] ?? '';
        // The driver knew none of the provider's pages: no refusal can be read from them (the
        // profile's login selectors may be what does not match). Not the application's verdict.
        if (err instanceof LoginError && err.unrecognised) {
          throw new CannotTell({ message: `${scenario.name}: ${ctx.redactor.text(unrecognisedLogin(err))}`, evidence: [{ label: 'the page shown', data: { page: ctx.redactor.text(where), text: ctx.redactor.text(shown) } }] });
        }
        const login: LoginOutcome = {
          loggedIn: false,
          transcript: app.transcript(),
          diagnosis: {
            rule: 'provider.login',
            step: 'authorization',
            title: `the provider never sent the browser back to the application${shown ? `; it shows: "${ctx.redactor.text(shown)}"` : ''}`,
            source: 'OIDC Core §3.1.2.5 (successful authentication response)',
            expected: `a redirect to ${redirectUri} with a code`,
            observed: { page: ctx.redactor.text(where), text: ctx.redactor.text(shown), driver: ctx.redactor.text(why) },
            ...(scenario.pkce === 'none' && /code_challenge|pkce/i.test(shown) ? { fix: 'this application sends no PKCE challenge: a provider that requires PKCE for every client refuses it (Authelia: enforce_pkce public_clients_only, require_pkce false for this client)' } : {}),
            ...(/not found/i.test(shown) ? { fix: "the authorization URL the application was given is not the provider's: compare it with authorization_endpoint in the provider's discovery document" } : {}),
          },
        };
        return judge(scenario, login, user, placement);
      }
    }
    return judge(scenario, await callbackOutcome(app), user, placement);
  } finally {
    await context.close();
  }
}

/** Where the target puts scope claims, for a scenario that expects an application refused for
 *  a claim it reads from the ID token alone: its claims profile and the claims a claims_policy
 *  puts back in this client's ID token. */
export interface ClaimsPlacement {
  claimsProfile: ClaimsProfile;
  idTokenClaims: string[];
}

/** Whether what the application saw is what the scenario expects. Pure. A refusal for a missing
 *  claim (identity.*) is expected only where the target keeps that claim out of the ID token
 *  (`placement`: claims profile authelia-4.39 and no claims_policy naming it); elsewhere OIDC Core
 *  §5.4 leaves the ID token's claims to the provider, and a login is no failure of it: skipped. */
export function judge(s: Scenario, login: LoginOutcome, user: TestUser, placement?: ClaimsPlacement): ScenarioVerdict {
  if ('failure' in s.expect) {
    const read = idTokenOnlyClaims(s);
    if (login.loggedIn && placement && s.expect.failure.startsWith('identity.') && read.length > 0) {
      const keptOut = placement.claimsProfile === 'authelia-4.39' && read.some((c) => !placement.idTokenClaims.includes(c));
      if (!keptOut) {
        const why = placement.claimsProfile === 'authelia-4.39' ? `its claims_policy puts ${read.join(', ')} in the ID token` : `claims profile ${placement.claimsProfile} ${placement.claimsProfile === 'authelia-legacy' ? 'puts scope claims in the ID token' : 'leaves the ID token\'s scope claims to the provider (OIDC Core §5.4)'}`;
        return { outcome: 'skipped', message: `${login.username} was logged in with ${read.join(', ')} from the ID token, which this target may send (${why}); the refusal the scenario expects (${s.expect.failure}) needs a provider that keeps them out of the ID token (claims_profile authelia-4.39 without a claims_policy naming them)` };
      }
    }
    if (!login.loggedIn && login.diagnosis?.rule === s.expect.failure) return { outcome: 'passed', login, message: `refused as expected: ${login.diagnosis.rule}` };
    return login.loggedIn
      ? { outcome: 'failed', login, message: `expected the login to be refused (${s.expect.failure}), but ${login.username} was logged in` }
      : { outcome: 'failed', login, message: `refused for ${login.diagnosis?.rule ?? 'an unknown reason'}, not ${s.expect.failure}: ${login.diagnosis?.title ?? ''}`, ...(login.diagnosis ? { diagnosis: login.diagnosis } : {}) };
  }
  if (!login.loggedIn) return { outcome: 'failed', login, message: `the login was refused at the ${login.diagnosis?.step ?? '?'} step: ${login.diagnosis?.title ?? 'unknown reason'}`, ...(login.diagnosis ? { diagnosis: login.diagnosis } : {}) };
  const username = expectedUsername(s, user);
  if (username !== undefined && login.username !== username) return { outcome: 'failed', login, message: `logged in as ${login.username}, expected ${username}` };
  const groups = expectedGroups(s, user);
  if (groups && !sameSet(login.groups ?? [], groups)) return { outcome: 'failed', login, message: `logged in with groups ${JSON.stringify(login.groups ?? [])}, expected ${JSON.stringify(groups)}` };
  return { outcome: 'passed', login, message: `logged in as ${login.username}${login.groups ? ` with groups ${login.groups.join(', ')}` : ''}` };
}
