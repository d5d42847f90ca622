// A test user's login session in a worker: codes over raw HTTP where the provider's pages are
// forms (or its login app has an API driver), else in the worker's browser; the refusal,
// consent and second-factor probes the checks need; and the worker's sessions, one per user.

import type { Browser, BrowserContext, Page } from 'playwright';
import type { ClientSpec, FormLoginSelectors, TestUser } from '../model/target.ts';
import { authorizationRequest, type AuthorizationOptions, type AuthorizationRequest } from '../protocol/authorize.ts';
import { exchangeCode } from '../protocol/endpoints.ts';
import { HttpSession, type StayResult } from '../protocol/session.ts';
import { isErrorPage } from '../protocol/forms.ts';
import { answerPages, answerPagesWith, appDriverFor, continueOverHttp, kindOf, type FormFlowOptions } from '../protocol/form-flow.ts';
import { HttpError, type RawResponse } from '../http/exchange.ts';
import { browserDriver, LoginError, visibleKind, type BrowserDriver, type Landing } from '../browser/drivers.ts';
import { launchBrowser, newContext } from '../browser/launch.ts';
import { asPrerequisite, expectNoServerError, ProviderError } from '../checks/verdict.ts';
import { checkTokenResponse, codeOf, type Callback, type FrontRefusal, type TokenSet } from '../checks/code-flow.ts';
import type { SecondFactorOutcome } from '../checks/client-rules.ts';
import type { RunContext } from './run.ts';
import { useRunTempDir } from './run-inputs.ts';
import { SignIns } from './sign-ins.ts';
import type { HttpExchange } from '../model/check.ts';

/** A completed code flow: the authorization request, the callback and the token response. */
export interface Flow {
  req: AuthorizationRequest;
  callback: Callback;
  startedAt: number;
  tokenRes: RawResponse;
  tokens: TokenSet;
}

/** One test user's login session in a worker. The login goes over raw HTTP where the provider's
 *  pages are plain forms, else through the browser; later codes reuse that session. The browser
 *  is the worker's, launched only when a check needs it, so a replaced worker is cheap. */
export class WorkerSession {
  private context?: BrowserContext;
  private page?: Page;
  private readonly http = new HttpSession();
  private loggedIn = false;
  /** This user's browser sign-ins in the worker, shared by all its sessions (SignIns). */
  private readonly signIns: SignIns;
  private readonly flows = new Map<string, Promise<Flow>>();
  /** A second login session of the same user, whose tokens only reading checks use. */
  private reader?: WorkerSession;
  /** The kept signed-in page (keptPage). */
  private kept?: Promise<Page>;
  readonly selectors: FormLoginSelectors;
  readonly driver: BrowserDriver;
  /** How pages are answered over raw HTTP for this worker's user. */
  private readonly options: FormFlowOptions;

  readonly run: RunContext;
  readonly user: TestUser;
  readonly browser: () => Promise<Browser>;

  constructor(run: RunContext, user: TestUser, browser: () => Promise<Browser>, signIns: SignIns = new SignIns(user.username)) {
    this.run = run;
    this.user = user;
    this.browser = browser;
    this.signIns = signIns;
    this.driver = browserDriver(run.profile.login);
    this.selectors = this.driver.selectors;
    const app = appDriverFor(run.profile.login);
    this.options = { selectors: this.selectors, user, ...(app ? { app } : {}) };
  }

  /** The worker's own page (its login session in the browser), opened on first use. */
  private async workerPage(): Promise<Page> {
    if (!this.page) {
      this.context = await newContext(await this.browser());
      this.page = await this.context.newPage();
    }
    return this.page;
  }

  async request(client: ClientSpec, options?: AuthorizationOptions): Promise<AuthorizationRequest> {
    const { meta } = await this.run.discovery();
    return authorizationRequest(meta, client, options);
  }

  /** Gets the authorization response for `req`: over raw HTTP where the pages allow, else in the browser. */
  async authorize(req: AuthorizationRequest, consent: 'accept' | 'deny' = 'accept'): Promise<Callback> {
    const first = await this.http.follow(req.url, req.redirectUri).catch(providerFault('authorization'));
    if (first.kind === 'page' && first.status >= 500) throw new ProviderError({ message: `the authorization endpoint answered HTTP ${first.status} (a server error while the check set itself up)`, evidence: [{ label: 'authorization', data: { page: first.url.pathname, status: first.status } }] });
    const url = await continueOverHttp(this.http, first, req.redirectUri, { ...this.options, consent });
    if (url) {
      this.loggedIn = true;
      this.signIns.signedIn(req.client.id);
      return { url, state: req.state, issuer: this.run.issuer };
    }
    const complete = async () => this.driver.complete(await this.workerPage(), req.url, { user: this.user, redirectUri: req.redirectUri, consent });
    // A denial is what its check asks for: a driver that cannot deny says nothing of signing in.
    const landing = consent === 'accept' ? await this.signIns.attempt(req.client.id, complete) : await complete();
    this.loggedIn = true;
    await this.http.addBrowserCookies(await this.context!.cookies());
    return { url: landing.url, state: req.state, issuer: this.run.issuer };
  }

  /** `req` in this worker's browser session (logged in there when needed), for login apps raw
   *  HTTP cannot answer. Throws LoginError when the browser ends on a provider page instead. */
  private async inBrowser(req: AuthorizationRequest, extra: { remember?: boolean } = {}): Promise<Landing> {
    const landing = await this.driver.complete(await this.workerPage(), req.url, { user: this.user, redirectUri: req.redirectUri, timeoutMs: 10_000, ...extra });
    await this.http.addBrowserCookies(await this.context!.cookies());
    return landing;
  }

  /** The authorization response for `req` from a new login (no session cookies): raw HTTP where
   *  the pages allow, else a fresh browser context. */
  async authorizeFresh(req: AuthorizationRequest): Promise<Callback> {
    const { url } = await this.loginOverHttp(req);
    if (url) {
      this.signIns.signedIn(req.client.id);
      return { url, state: req.state, issuer: this.run.issuer };
    }
    return this.signIns.attempt(req.client.id, async () => {
      const context = await newContext(await this.browser());
      try {
        const landing = await this.driver.complete(await context.newPage(), req.url, { user: this.user, redirectUri: req.redirectUri });
        return { url: landing.url, state: req.state, issuer: this.run.issuer };
      } finally {
        await context.close();
      }
    });
  }

  /** `req` in a new login session over raw HTTP (no cookies of this session's): its callback URL,
   *  or none where a page needs the browser. */
  private async loginOverHttp(req: AuthorizationRequest): Promise<{ http: HttpSession; url?: URL }> {
    const http = new HttpSession();
    const url = await continueOverHttp(http, await http.follow(req.url, req.redirectUri), req.redirectUri, this.options);
    return url ? { http, url } : { http };
  }

  /** Signs the user in anew for `page`, whose context is fresh: a login session of its own, so a
   *  check that runs in it changes no other check's session. Over raw HTTP where the provider's
   *  pages allow, its cookies then handed to the browser (a login typed in the browser is what
   *  the login checks test, not what this setup is for); else typed in `page` itself. */
  async signInFresh(page: Page, client: ClientSpec): Promise<void> {
    const { http, url } = await this.loginOverHttp(await this.request(client)).catch(providerFault('authorization'));
    if (url) {
      this.signIns.signedIn(client.id);
      // A cookie the browser will not take is the hand-over's problem, not the provider's: the
      // login is then typed instead, as a user would.
      const handed = await page.context().addCookies(await http.toBrowserCookies()).then(() => true, () => false);
      if (handed) return;
    }
    await this.signIns.attempt(client.id, () => this.signInInBrowser(page, client));
  }

  /** A page signed in with a login session of its own (signInFresh), kept for the worker: for
   *  checks that look at what the provider shows a signed-in user and change nothing for it (the
   *  error page for an unregistered redirect_uri), where a fresh context per check would only
   *  repeat the same login. Made on first use, and again after discardKeptPage or if it closed. */
  async keptPage(client: ClientSpec): Promise<Page> {
    const kept = this.kept && (await this.kept.catch(() => undefined));
    if (kept && !kept.isClosed()) return kept;
    const made = (async () => {
      const page = await (await newContext(await this.browser())).newPage();
      await this.signInFresh(page, client).catch(async (err: unknown) => {
        await page.context().close().catch(() => undefined);
        throw err;
      });
      return page;
    })();
    this.kept = made;
    return made;
  }

  /** Closes the kept page (a check failed in it, leaving it in a state the next must not inherit);
   *  the next keptPage signs a new one in. */
  async discardKeptPage(): Promise<void> {
    const kept = this.kept;
    this.kept = undefined;
    await (await kept?.catch(() => undefined))?.context().close().catch(() => undefined);
  }

  /** Signs the user in by typing it on the provider's pages in `page`. */
  async signInInBrowser(page: Page, client: ClientSpec): Promise<void> {
    const req = await this.request(client);
    await this.driver.complete(page, req.url, { user: this.user, redirectUri: req.redirectUri });
  }

  /** Sends `req` with the session established and follows it while it stays on the provider. */
  async stayWithin(req: AuthorizationRequest, anyClient: ClientSpec): Promise<StayResult> {
    if (!this.loggedIn) await this.authorize(await this.request(anyClient));
    const origin = new URL(this.run.issuer).origin;
    // Answer consent (and login) pages: a provider that checks redirect_uri only after them must
    // still be caught. followWithin, not follow: a redirect anywhere off the provider is the
    // verdict, never fetched.
    const r = await answerPagesWith(this.http, await this.http.followWithin(req.url, origin), this.options, { go: (url, form) => this.http.followWithin(url, origin, form) });
    if (r.kind === 'page' && r.status === 200 && !this.options.app?.owns(r.url) && this.driver.opaque?.(r.url)) {
      // A JavaScript app's page: only the browser shows whether the provider goes on to the
      // redirect URI (a request it should have refused) or stays on its error page.
      try {
        const landing = await this.inBrowser(req);
        return { kind: 'left', location: landing.url.href, status: 302 };
      } catch (err) {
        if (!(err instanceof LoginError)) throw err;
        const page = this.page!;
        return { kind: 'page', url: new URL(page.url()), status: 200, body: await page.content(), pageKind: await visibleKind(page, this.selectors) };
      }
    }
    // What the page left asks of the user: a login or consent page is no rejection.
    return r.kind === 'page' ? { ...r, pageKind: await kindOf(this.http, r, this.options) } : r;
  }

  /** Signs in anew through `oneFactor` (a one_factor client), then sends `req` in that session,
   *  answering consent (never login or a second factor) on the way. Over raw HTTP where the pages
   *  allow, else in a fresh browser context; undefined when the one-factor login itself fails. */
  async afterOneFactor(oneFactor: ClientSpec, req: AuthorizationRequest): Promise<SecondFactorOutcome | undefined> {
    const user = { ...this.user, totpSecret: undefined } as TestUser;
    const options: FormFlowOptions = { ...this.options, user, consent: 'accept' };
    const http = new HttpSession();
    const first = await this.request(oneFactor);
    const url = await continueOverHttp(http, await http.follow(first.url, first.redirectUri), first.redirectUri, options);
    if (url) {
      // Consent is answered as its user would (a login app's too); a login or one-time password
      // page ends it: that is the second factor being asked for.
      const r = await answerPagesWith(http, await http.follow(req.url, req.redirectUri), options, { go: (u, form) => http.follow(u, req.redirectUri, form), answer: ['consent'] });
      if (r.kind === 'callback') return r;
      if (!this.driver.opaque?.(r.url)) return { ...r, pageKind: await kindOf(http, r, options) };
    }
    // The login (or what follows it) needs the browser: a fresh context, signed in with one factor.
    const context = await newContext(await this.browser());
    try {
      const page = await context.newPage();
      try {
        await this.driver.complete(page, first.url, { user, redirectUri: first.redirectUri, timeoutMs: 10_000 });
      } catch (err) {
        if (err instanceof LoginError) return undefined;
        throw err;
      }
      try {
        // Consent is answered; a login or one-time password page stops the driver (no totp_secret).
        return { kind: 'callback', url: (await this.driver.complete(page, req.url, { user, redirectUri: req.redirectUri, consent: 'accept', timeoutMs: 10_000 })).url };
      } catch (err) {
        if (!(err instanceof LoginError)) throw err;
        return { kind: 'page', url: new URL(page.url()), status: 200, body: await page.content(), pageKind: await visibleKind(page, this.selectors) };
      }
    } finally {
      await context.close();
    }
  }

  /** Pre-configured consent: asked first (answered with "remember"), then not asked again for
   *  the same scopes, and asked again for other scopes. */
  async rememberedConsent(client: ClientSpec, otherScope: string, waitExpiryMs?: number): Promise<{ first: boolean; again: boolean; otherScopes: boolean; afterExpiry?: boolean }> {
    // No prompt=consent (requests with offline_access carry it): the remembered consent decides.
    const noPrompt = { params: { prompt: undefined } };
    await this.authorize(await this.request(client, noPrompt));
    const asked = async (req: AuthorizationRequest, remember: boolean): Promise<boolean> => {
      const r = await this.http.follow(req.url, req.redirectUri);
      if (r.kind === 'page' && this.driver.opaque?.(r.url)) return (await this.inBrowser(req, { remember })).steps.includes('consent');
      if (r.kind === 'callback' || (await kindOf(this.http, r, this.options)) !== 'consent') return false;
      await answerPagesWith(this.http, r, { ...this.options, consent: 'accept', remember }, { go: (url, form) => this.http.follow(url, req.redirectUri, form), answer: ['consent'] });
      return true;
    };
    const first = await asked(await this.request(client, noPrompt), true);
    const again = await asked(await this.request(client, noPrompt), false);
    const otherScopes = await asked(await this.request(client, { scope: otherScope, ...noPrompt }), false);
    if (waitExpiryMs === undefined) return { first, again, otherScopes };
    // Time passing is what is tested: the remembered consent must lapse after its duration.
    await new Promise((resolve) => setTimeout(resolve, waitExpiryMs));
    return { first, again, otherScopes, afterExpiry: await asked(await this.request(client, noPrompt), false) };
  }

  /** Authorizes `client` once (answering consent), then sends `second` in the same session and
   *  tells whether the provider asked for consent again. */
  async consentAskedAgain(client: ClientSpec, second: AuthorizationRequest): Promise<{ askedAgain: boolean; pageUrl?: string; exchange?: HttpExchange }> {
    await this.authorize(await this.request(client, { params: { prompt: undefined } }));
    const r = await this.http.follow(second.url, second.redirectUri);
    const seen = r.exchange ? { exchange: r.exchange } : {};
    if (r.kind === 'callback') return { askedAgain: false, ...seen };
    if (this.driver.opaque?.(r.url)) return { askedAgain: (await this.inBrowser(second)).steps.includes('consent'), pageUrl: r.url.pathname, ...seen };
    return { askedAgain: (await kindOf(this.http, r, this.options)) === 'consent', pageUrl: r.url.pathname, ...seen };
  }

  /** Sends an authorization request expected to be refused, with an established session. */
  async attempt(req: AuthorizationRequest, anyClient: ClientSpec): Promise<FrontRefusal> {
    if (!this.loggedIn) await this.authorize(await this.request(anyClient));
    // Consent (or a step-up) is answered: a provider that refuses only after it must still be
    // seen issuing the code, not counted as refusing because a consent page came first.
    const r = await answerPages(this.http, await this.http.follow(req.url, req.redirectUri), req.redirectUri, this.options);
    // A form_post answer is a callback too (HttpSession.follow reads its form).
    if (r.kind === 'callback') return { callback: r.url };
    if (this.driver.opaque?.(r.url)) {
      // Raw HTTP cannot tell a JavaScript app's consent page from a refusal: the browser answers it.
      try {
        return { callback: (await this.inBrowser(req)).url };
      } catch (err) {
        if (!(err instanceof LoginError)) throw err;
        const page = this.page!;
        return { pageUrl: new URL(page.url()), status: 200, errorPage: isErrorPage(200, await page.content(), await visibleKind(page, this.selectors)) };
      }
    }
    const kind = await kindOf(this.http, r, this.options);
    if (kind !== 'unknown') throw new Error(`could not get past the provider's ${kind} page at ${r.url.pathname}`);
    // A refusal is recognised, never assumed: a page that does not say error is "cannot tell".
    return { pageUrl: r.url, status: r.status, errorPage: isErrorPage(r.status, r.body, kind) };
  }

  /** A fresh code flow for `client` in this session, redeemed with its configured method: the
   *  check's own authorization, for checks that change provider state. With default options it is
   *  the happy path that `code.exchange` checks, so its failure blocks the calling check. */
  async flow(client: ClientSpec, options?: AuthorizationOptions): Promise<Flow> {
    const { meta } = await this.run.discovery();
    const run = async (): Promise<Flow> => {
      const startedAt = Math.floor(Date.now() / 1000);
      const req = await this.request(client, options);
      const callback = await this.authorize(req);
      const tokenRes = await exchangeCode(meta, { client }, codeOf(callback), req.redirectUri, req.verifier).catch(providerFault('token'));
      expectNoServerError(tokenRes, 'token');
      return { req, callback, startedAt, tokenRes, tokens: checkTokenResponse(tokenRes, client) };
    };
    return options ? run() : asPrerequisite({ id: 'code.exchange', client: client.id }, run);
  }

  /** One flow per client and worker for checks that only read its tokens. It comes from a login
   *  session of its own that no state-changing check uses: a provider may revoke every token of a
   *  session and client when it sees a code replayed or a token revoked (RFC 6749 §4.1.2 allows
   *  it; oidc-provider does it), which must not end the tokens other checks are reading. */
  sharedFlow(client: ClientSpec): Promise<Flow> {
    const reader = this.readerSession();
    let f = reader.flows.get(client.id);
    if (!f) {
      f = reader.flow(client);
      reader.flows.set(client.id, f);
    }
    return f;
  }

  /** The second login session of this user, whose codes and tokens only reading checks use. */
  readerSession(): WorkerSession {
    return (this.reader ??= new WorkerSession(this.run, this.user, this.browser, this.signIns));
  }

  async close(): Promise<void> {
    await this.reader?.close();
    await this.context?.close();
    await this.discardKeptPage();
  }
}

/** Turns a request that got no answer (timeout, refused or dropped connection) in a setup step
 *  into a ProviderError with the exchange as evidence. */
function providerFault(label: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof HttpError) throw new ProviderError({ message: `${label}: ${err.message} (no answer while the check set itself up)`, evidence: [{ label, http: err.exchange }] });
    throw err;
  };
}

/** The worker's login sessions, one per test user, opened on first use. Which user a check runs
 *  as is fixed by the check (the profile's first user, or each user in turn for claims), never
 *  by which worker happens to be free. */
export class Sessions {
  private browserP?: Promise<Browser>;
  private readonly byUser = new Map<string, WorkerSession>();

  readonly run: RunContext;

  constructor(run: RunContext) {
    this.run = run;
  }

  /** The worker's browser, launched on first use, with its temporary folders in the run's private
   *  folder (useRunTempDir). */
  readonly browser = (): Promise<Browser> => (this.browserP ??= (useRunTempDir(), launchBrowser()));

  for(user: TestUser): WorkerSession {
    let s = this.byUser.get(user.username);
    if (!s) {
      s = new WorkerSession(this.run, user, this.browser);
      this.byUser.set(user.username, s);
    }
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.byUser.values()) await s.close();
    if (this.browserP) await (await this.browserP).close();
  }
}
