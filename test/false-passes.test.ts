// Checks that passed where the provider was wrong (issue 8: "a verdict is the provider's or
// nobody's"), each driven as its suite drives it (the suites' WorkerSession) against the
// reference provider: healthy it passes; with the fault on it fails, or says it cannot tell.

import { describe, expect, it } from 'vitest';
import type { TargetProfile } from '../src/model/target.ts';
import type { WorkerSession } from '../src/session/worker-session.ts';
import { CheckFailure, CheckSkipped } from '../src/checks/verdict.ts';
import * as cu from '../src/checks/client-rules.ts';
import * as r from '../src/checks/redirect-uri.ts';
import * as c from '../src/checks/claims.ts';
import * as k from '../src/checks/tokens.ts';
import { idTokenOf } from '../src/checks/id-token.ts';
import { exchangeCode, introspect, refreshGrant, userinfo } from '../src/protocol/endpoints.ts';
import * as fc from '../src/checks/code-flow.ts';
import * as t from '../src/checks/id-token.ts';
import type { ClientSpec } from '../src/model/target.ts';
import type { RawResponse } from '../src/http/exchange.ts';
import { decodeJwt } from 'jose';
import { authorizationRequest } from '../src/protocol/authorize.ts';
import { launchBrowser } from '../src/browser/launch.ts';
import { completeAuthorization, EMBEDDED_SELECTORS } from '../src/browser/drivers.ts';
import { env, type Env } from './embedded-env.ts';
import { workerSession } from './worker-session.ts';

const claimsHelpers = {
  async observe(e: Env, client: ClientSpec, accessToken: string, tokenRes: RawResponse): Promise<c.Observed> {
    const ui = k.checkUserinfo(await userinfo(e.meta, accessToken), client, 'GET');
    const intro = client.public ? undefined : ((await introspect(e.meta, { client }, accessToken)).json as Record<string, unknown>);
    return { id_token: decodeJwt(idTokenOf(tokenRes, client)) as Record<string, unknown>, userinfo: ui, ...(intro ? { introspection: intro } : {}) };
  },
};

// Closed after each test (test/worker-session.ts).
const session = (e: Env): WorkerSession => workerSession(e);

async function outcome(run: () => Promise<unknown>): Promise<'passed' | CheckFailure | CheckSkipped> {
  try {
    await run();
    return 'passed';
  } catch (err) {
    if (err instanceof CheckFailure || err instanceof CheckSkipped) return err;
    throw err;
  }
}

const editClient = (id: string, edit: Partial<TargetProfile['clients'][number]>) => (p: TargetProfile): TargetProfile => ({ ...p, clients: p.clients.map((cl) => (cl.id === id ? { ...cl, ...edit } : cl)) });

describe('client.response-mode-restricted probes form_post', () => {
  // basic is allowed query only, so form_post is one of the modes it must be refused.
  const queryOnly = editClient('basic', { responseModes: ['query'] });
  const check = async (e: Env, modes: string[]) => {
    const s = session(e);
    const client = e.client('basic');
    for (const other of modes) {
      const req = await s.request(client, { params: { response_mode: other } });
      cu.checkFrontRefused(await s.attempt(req, client), { message: `response_mode ${other} was served to ${client.id}, which is allowed ${client.responseModes.join(', ')}`, source: 'response_modes', sent: { response_mode: other } });
    }
  };
  it('the healthy provider refuses fragment and form_post', async () => {
    expect(await outcome(async () => check(await env([], queryOnly), ['fragment', 'form_post']))).toBe('passed');
  });
  it('a form_post answer (a 200 page posting the code) is the code served, not a refusal', async () => {
    const got = await outcome(async () => check(await env(['response-mode-not-enforced'], queryOnly), ['form_post']));
    expect(got).toBeInstanceOf(CheckFailure);
    expect((got as CheckFailure).message).toMatch(/response_mode form_post was served to basic/);
    expect((got as CheckFailure).detail.observed).toBe('issued code');
  });
});

describe('redirect-uri checks need the provider\'s error page, recognised', () => {
  const check = async (e: Env, variant: string) => {
    const s = session(e);
    const client = e.client('basic');
    const v = r.variants(client.redirectUris[0]!).find((x) => x.name === variant)!;
    if (!('uri' in v)) throw new Error(`variant ${variant} has no URI`);
    const req = await s.request(client, { redirectUri: v.uri! });
    r.checkRejected(await s.stayWithin(req, client), v.uri, client, new URL(e.issuer).origin);
  };
  it('the healthy provider shows its error page (HTTP 400): passed', async () => {
    expect(await outcome(async () => check(await env([]), 'unregistered'))).toBe('passed');
  });
  it('a 200 page that is no error page (a link onwards) is "cannot tell", not a rejection', async () => {
    const got = await outcome(async () => check(await env(['redirect-uri-interstitial']), 'unregistered'));
    expect(got).toBeInstanceOf(CheckSkipped);
    expect((got as CheckSkipped).message).toMatch(/cannot tell whether redirect_uri "https:\/\/rp\.invalid\/callback" was rejected: .*not recognisably an error page \(HTTP 200 at \/api\/oidc\/authorization/);
  });
  it('an error posted to the unregistered URI (form_post, HTTP 400) is a redirect to it', async () => {
    const got = await outcome(async () => check(await env(['redirect-uri-error-form-post']), 'unregistered'));
    expect(got).toBeInstanceOf(CheckFailure);
    expect((got as CheckFailure).message).toMatch(/the provider posted a form \(form_post\) to https:\/\/rp\.invalid\/callback with error, state/);
  });
});

describe('client.two-factor needs the second-factor page (or an error), consent answered first', () => {
  // refresher turned two_factor with explicit consent: the consent page comes before any code.
  const twoFactor = (p: TargetProfile): TargetProfile => editClient('refresher', { authorizationPolicy: 'two_factor', consentMode: 'explicit' })({ ...p, users: p.users.map((u) => ({ ...u, totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' })) });
  const check = async (e: Env) => {
    const s = session(e);
    const result = await s.afterOneFactor(e.client('basic'), await s.request(e.client('refresher')));
    if (!result) throw new Error('no one-factor session');
    cu.checkSecondFactorDemanded(result, e.client('refresher'));
  };
  it('the healthy provider asks for the one-time password: passed', async () => {
    expect(await outcome(async () => check(await env([], twoFactor)))).toBe('passed');
  });
  it('a provider that skips the second factor fails once its consent page is answered', async () => {
    const got = await outcome(async () => check(await env(['second-factor-skipped'], twoFactor)));
    expect(got).toBeInstanceOf(CheckFailure);
    expect((got as CheckFailure).message).toMatch(/refresher got a code on a session signed in with one factor only/);
  });
});

describe('claims: what was granted is the request within the configuration, never the provider\'s word', () => {
  const { observe } = claimsHelpers;
  it('claims.no-leak: claims of a scope the provider merely says it granted are a leak', async () => {
    const run = async (e: Env) => {
      const client = e.client('basic');
      const s = session(e);
      const flow = await s.flow(client, { scope: 'openid' });
      c.checkNoLeak(c.grantedScopes(flow.req.scope, client), await observe(e, client, flow.tokens.access_token, flow.tokenRes), 'only scope openid was requested');
    };
    expect(await outcome(async () => run(await env([])))).toBe('passed');
    const got = await outcome(async () => run(await env(['claims-leak', 'token-scope-overstated'])));
    expect(got).toBeInstanceOf(CheckFailure);
    expect((got as CheckFailure).message).toMatch(/claims of scopes not granted: email \(scope email\) in userinfo/);
  });
  it('claims.no-escalation: an error unrelated to the extra scope is "cannot tell", not a refusal', async () => {
    const run = async (e: Env) => {
      const client = e.client('refresher');
      const s = session(e);
      const req = await s.request(client, { scope: 'openid offline_access profile email' });
      const cb = await s.authorize(req);
      if (cb.url.searchParams.get('error') === 'invalid_scope') return;
      if (cb.url.searchParams.get('error')) return c.checkEscalationError('email', client, cb.url, (await s.authorize(await s.request(client))).url);
      throw new Error('a code was issued');
    };
    expect(await outcome(async () => run(await env([])))).toBe('passed');
    const got = await outcome(async () => run(await env(['authorization-temporarily-unavailable'])));
    expect(got).toBeInstanceOf(CheckSkipped);
    expect((got as CheckSkipped).message).toMatch(/cannot tell whether scope email was refused for refresher: the request with it got error temporarily_unavailable, and the same request without it got temporarily_unavailable/);
  });
});

describe('refresh.refused-without-grant measures the grant restriction, not the binding', () => {
  const check = async (e: Env) => {
    const s = session(e);
    const client = e.client('basic');
    const own = (await s.flow(client)).tokens.refresh_token;
    if (own) return k.checkOwnRefreshRefused(await refreshGrant(e.meta, { client }, own), client);
    const owner = e.client('refresher');
    const rt = (await s.flow(owner)).tokens.refresh_token!;
    k.checkRefreshRefused(await refreshGrant(e.meta, { client }, rt), client, `the refresh token of ${owner.id}`);
  };
  it('the healthy provider answers unauthorized_client: passed', async () => {
    expect(await outcome(async () => check(await env([])))).toBe('passed');
  });
  it('a provider that lets every client refresh, refusing only another client\'s token, is "cannot tell"', async () => {
    const got = await outcome(async () => check(await env(['refresh-grant-not-restricted'])));
    expect(got).toBeInstanceOf(CheckSkipped);
    expect((got as CheckSkipped).message).toMatch(/cannot tell whether the grant restriction or the binding refused it: basic presented the refresh token of refresher and got HTTP 400 invalid_grant/);
  });
  it('with a refresh token issued to it anyway, the client presents its own, and its acceptance fails', async () => {
    const got = await outcome(async () => check(await env(['refresh-grant-not-restricted', 'refresh-for-all'])));
    expect(got).toBeInstanceOf(CheckFailure);
    expect((got as CheckFailure).message).toMatch(/basic used the refresh grant with the refresh token it was issued/);
  });
});

describe('revocation after code reuse, at_hash and introspection identity', () => {
  it('code.reuse-revokes-tokens: an introspection error is "cannot tell", not revoked', async () => {
    const run = async (e: Env) => {
      const client = e.client('basic');
      const { url, req } = await e.callback(client);
      const code = url.searchParams.get('code')!;
      const first = await exchangeCode(e.meta, { client }, code, req.redirectUri, req.verifier);
      const reuse = await exchangeCode(e.meta, { client }, code, req.redirectUri, req.verifier);
      fc.checkReuseRevokes(await introspect(e.meta, { client }, fc.checkTokenResponse(first, client).access_token, 'access_token'), 'introspection', reuse);
    };
    expect(await outcome(async () => run(await env([])))).toBe('passed');
    const got = await outcome(async () => run(await env(['introspection-unavailable'])));
    expect(got).toBeInstanceOf(CheckSkipped);
    expect((got as CheckSkipped).message).toMatch(/introspection answered HTTP 503 temporarily_unavailable/);
  });
  it('id-token.at-hash: an ID token without at_hash is skipped with the reason', async () => {
    const run = async (e: Env) => {
      const client = e.client('basic');
      const { tokens, res } = await e.flow(client);
      t.checkAtHash({ client, issuer: e.issuer, response: res, idToken: idTokenOf(res, client), accessToken: tokens.access_token, nonce: '', jwks: { keys: [] }, skew: 5, startedAt: 0, authTimeRequired: true });
    };
    expect(await outcome(async () => run(await env([])))).toBe('passed');
    const got = await outcome(async () => run(await env(['id-token-no-at-hash'])));
    expect(got).toBeInstanceOf(CheckSkipped);
    expect((got as CheckSkipped).message).toMatch(/OPTIONAL in the code flow/);
  });
  it('introspection.identifies-token: an answer without client_id and sub warns; introspection.active still passes', async () => {
    const run = async (e: Env) => {
      const client = e.client('basic');
      const { tokens, res } = await e.flow(client);
      const sub = decodeJwt(idTokenOf(res, client)).sub;
      k.checkIntrospectionActive(await introspect(e.meta, { client }, tokens.access_token, 'access_token'), client, sub);
      k.checkIntrospectionIdentifies(await introspect(e.meta, { client }, tokens.access_token, 'access_token'), client, sub);
    };
    expect(await outcome(async () => run(await env([])))).toBe('passed');
    const got = await outcome(async () => run(await env(['introspection-anonymous'])));
    expect(got).toBeInstanceOf(CheckFailure);
    expect((got as CheckFailure).message).toMatch(/introspection of an active token has no client_id and no sub/);
  });
});

describe('form_post in the browser', () => {
  it('the landing carries the posted code and state, as a query response would', async () => {
    const e = await env([]);
    const client = e.client('basic');
    const req = await authorizationRequest(e.meta, client, { params: { response_mode: 'form_post' } });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const landing = await completeAuthorization(page, EMBEDDED_SELECTORS, req.url, { user: e.profile.users[0]!, redirectUri: req.redirectUri });
      expect(landing.url.searchParams.get('code')).toBeTruthy();
      expect(landing.url.searchParams.get('state')).toBe(req.state);
    } finally {
      await browser.close();
    }
  });
});

describe('client.two-factor when the one-factor login needs the browser', () => {
  // A form driver whose username selector only Playwright reads (":visible"): raw HTTP
  // cannot answer the login page, so the one-factor session is made in a fresh browser context.
  const browserOnly = (p: TargetProfile): TargetProfile => ({
    ...editClient('refresher', { authorizationPolicy: 'two_factor', consentMode: 'explicit' })(p),
    users: p.users.map((u) => ({ ...u, totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' })),
    login: { driver: 'form', selectors: { ...EMBEDDED_SELECTORS, username: '#username:visible' } },
  });
  const check = async (e: Env) => {
    const s = session(e);
    const result = await s.afterOneFactor(e.client('basic'), await s.request(e.client('refresher')));
    if (!result) throw new Error('no one-factor session');
    cu.checkSecondFactorDemanded(result, e.client('refresher'));
  };
  it('the healthy provider shows the one-time password page in the browser: passed (not skipped)', async () => {
    expect(await outcome(async () => check(await env([], browserOnly)))).toBe('passed');
  });
  it('a provider that skips the second factor fails there too, consent answered in the browser', async () => {
    const got = await outcome(async () => check(await env(['second-factor-skipped'], browserOnly)));
    expect(got).toBeInstanceOf(CheckFailure);
    expect((got as CheckFailure).message).toMatch(/refresher got a code on a session signed in with one factor only/);
  });
});
