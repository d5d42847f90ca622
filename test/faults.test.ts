// Every check family against the reference provider, once healthy (the check passes) and once with
// one fault switched on (the check fails, with the message a provider engineer would need).

import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { answerPages, HttpSession } from '../src/protocol/form-flow.ts';
import { EMBEDDED_SELECTORS } from '../src/browser/drivers.ts';
import { consentSubmission } from '../src/protocol/forms.ts';
import type { Fault } from '../src/targets/embedded/faults.ts';
import type { ClientSpec, TargetProfile } from '../src/model/target.ts';
import { authorizationRequest } from '../src/protocol/authorize.ts';
import { exchangeCode, introspect, refreshGrant, revoke, userinfo } from '../src/protocol/endpoints.ts';
import { send } from '../src/http/exchange.ts';
import { CheckFailure } from '../src/checks/verdict.ts';
import * as d from '../src/checks/discovery.ts';
import * as f from '../src/checks/code-flow.ts';
import * as t from '../src/checks/id-token.ts';
import * as k from '../src/checks/tokens.ts';
import * as c from '../src/checks/claims.ts';
import * as r from '../src/checks/redirect-uri.ts';
import * as lf from '../src/checks/lifespans.ts';
import * as cr from '../src/checks/cors.ts';
import * as cu from '../src/checks/client-rules.ts';
import { expectRefusal } from '../src/checks/verdict.ts';
import * as te from '../src/checks/token-errors.ts';
import { errorProbes, exchangeWithBothMethods } from '../src/protocol/error-probes.ts';
import { codeOverHttp } from '../src/protocol/form-flow.ts';
import { testProfile } from './profile-fixture.ts';

async function redirectVariant(e: Env, variant: string): Promise<void> {
  const client = e.client('basic');
  await e.callback(client); // log in first: the session must not be what stops the request
  const v = r.variants(client.redirectUris[0]!).find((x) => x.name === variant)!;
  if (!('uri' in v)) throw new Error(`variant ${variant} has no URI`);
  const req = await authorizationRequest(e.meta, client, { redirectUri: v.uri! });
  const origin = new URL(e.issuer).origin;
  r.checkRejected(await e.session.followWithin(req.url, origin), v.uri, client, origin);
}
import { env, type Env } from './embedded-env.ts';
import { workerSession } from './worker-session.ts';

async function observe(e: Env, client: ClientSpec, scope?: string): Promise<{ observed: c.Observed; granted: string[] }> {
  const { tokens, res } = await e.flow(client, scope ? { scope } : {});
  const ui = k.checkUserinfo(await userinfo(e.meta, tokens.access_token), client, 'GET');
  const intro = client.public ? undefined : ((await introspect(e.meta, { client }, tokens.access_token)).json as Record<string, unknown>);
  const observed: c.Observed = { id_token: decodeJwt(t.idTokenOf(res, client)) as Record<string, unknown>, userinfo: ui, ...(intro ? { introspection: intro } : {}) };
  return { observed, granted: (tokens.scope ?? '').split(' ') };
}

async function claimsTable(e: Env, where: c.Location[], clientId = 'basic'): Promise<void> {
  const client = e.client(clientId);
  const { observed, granted } = await observe(e, client);
  c.checkClaims(c.expectedClaims(client, e.profile.users[0]!, granted, e.profile.claimsProfile, 'test'), observed, where, `claims for ${clientId}`);
}

async function idTokenInput(e: Env, clientId = 'basic'): Promise<t.IdTokenInput> {
  const c = e.client(clientId);
  const { tokens, res, nonce, startedAt } = await e.flow(c);
  const jwks = d.checkJwks(await send({ url: String(e.meta.jwks_uri) }));
  return { client: c, issuer: e.issuer, response: res, idToken: t.idTokenOf(res, c), accessToken: tokens.access_token, nonce, jwks, skew: 5, startedAt, authTimeRequired: true };
}

// Consent checks ask without prompt=consent (which the harness adds to offline_access requests):
// the client's consent_mode, not the prompt, must decide whether consent is asked.
const NO_PROMPT = { params: { prompt: undefined } };
/** The session-reuse scenario of id-token.nonce-session-reuse and code.*-session-reuse: a login
 *  in a new session, then two authorizations in one session (the first logs in, the second is
 *  answered from the session). */
async function sessionPaths(e: Env, clientId = 'basic'): Promise<Array<{ path: string; callback: f.Callback; nonce: string; res: Awaited<ReturnType<typeof exchangeCode>> }>> {
  const client = e.client(clientId);
  const out = [];
  const freshReq = await authorizationRequest(e.meta, client);
  const freshUrl = await codeOverHttp(new HttpSession(), freshReq.url, freshReq.redirectUri, { selectors: EMBEDDED_SELECTORS, user: e.profile.users[0]! });
  const paths: Array<[string, URL, Awaited<ReturnType<typeof authorizationRequest>>]> = [['fresh login', freshUrl, freshReq]];
  for (const name of ['session reuse 1', 'session reuse 2']) {
    const { url, req } = await e.callback(client);
    paths.push([name, url, req]);
  }
  for (const [path, url, req] of paths) {
    const res = await exchangeCode(e.meta, { client }, f.codeOf({ url, state: req.state, issuer: e.issuer }), req.redirectUri, req.verifier);
    out.push({ path, callback: { url, state: req.state, issuer: e.issuer }, nonce: req.nonce, res });
  }
  return out;
}

type Case = [Fault, (e: Env) => Promise<void> | void, RegExp, ((p: TargetProfile) => TargetProfile)?];

const twoFactorEdit = (p: TargetProfile): TargetProfile => ({
  ...p,
  users: p.users.map((u) => ({ ...u, totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' })),
  clients: p.clients.map((cl) => (cl.id === 'refresher' ? { ...cl, authorizationPolicy: 'two_factor' as const, consentMode: 'implicit' as const } : cl)),
});

const cases: Case[] = [
  ['discovery-wrong-issuer', (e) => d.checkIssuer(e.meta, e.issuer, e.discovery), /issuer "http:\/\/127\.0\.0\.1:\d+\/other" is not the URL discovery was fetched from/],
  ['discovery-no-jwks-uri', (e) => d.checkRequiredMetadata(e.meta, e.discovery), /jwks_uri: missing/],
  ['discovery-advertises-plain', (e) => d.checkPkceMethods(e.meta, e.profile, e.discovery), /advertises plain/],
  ['auth-method-not-enforced', async (e) => {
    const c = e.client('basic');
    const { url, req } = await e.callback(c);
    f.checkOtherMethodRefused(await exchangeCode(e.meta, { client: c, auth: 'client_secret_post' }, url.searchParams.get('code')!, req.redirectUri, req.verifier), c, 'client_secret_post');
  }, /accepted basic authenticating with client_secret_post, but it is configured for client_secret_basic only/],
  ['pkce-not-required', async (e) => {
    const c = e.client('spa');
    const req = await authorizationRequest(e.meta, c, { pkce: false });
    const session = new HttpSession();
    // As the suite does: login and consent are answered, so only a real refusal counts.
    const r = await answerPages(session, await session.follow(req.url, req.redirectUri), req.redirectUri, { selectors: EMBEDDED_SELECTORS, user: e.profile.users[0]! });
    const outcome: f.FrontRefusal = r.kind === 'callback' ? { callback: r.url } : { pageUrl: r.url, status: r.status };
    f.checkAuthorizationRefused(outcome, { message: 'an authorization for spa without code_challenge was not refused', source: 'enforce_pkce = public_clients_only' });
  }, /without code_challenge was not refused/],
  ['id-token-bad-signature', async (e) => t.checkSignature(await idTokenInput(e)), /signature does not verify/],
  ['id-token-no-kid', async (e) => t.checkKid(await idTokenInput(e)), /header has no kid/],
  ['id-token-wrong-aud', async (e) => t.checkAud(await idTokenInput(e)), /aud does not contain basic/],
  ['id-token-wrong-iss', async (e) => t.checkIss(await idTokenInput(e)), /iss ".*\/other" is not the issuer/],
  ['id-token-expired', async (e) => t.checkExp(await idTokenInput(e)), /the ID token expired \d+ s ago/],
  ['id-token-wrong-nonce', async (e) => t.checkNonce(await idTokenInput(e)), /nonce differs from the one sent/],
  ['id-token-iat-future', async (e) => t.checkIat(await idTokenInput(e)), /iat is \d+ s from now/],
  ['id-token-bad-at-hash', async (e) => t.checkAtHash(await idTokenInput(e)), /at_hash does not match the access token/],
  ['id-token-auth-time-zero', async (e) => t.checkAuthTime(await idTokenInput(e)), /auth_time 0 is not a plausible login time/],
  ['authorization-drops-state', async (e) => {
    const { url, req } = await e.callback(e.client('basic'));
    f.checkStateEchoed({ url, state: req.state, issuer: e.issuer });
  }, /the authorization response has no state/],
  ['code-reuse-accepted', async (e) => {
    const c = e.client('basic');
    const { url, req } = await e.callback(c);
    const code = url.searchParams.get('code')!;
    const first = await exchangeCode(e.meta, { client: c }, code, req.redirectUri, req.verifier);
    f.checkReuseRefused(await exchangeCode(e.meta, { client: c }, code, req.redirectUri, req.verifier), first);
  }, /the code was redeemed twice/],
  ['userinfo-wrong-sub', async (e) => {
    const c = e.client('basic');
    const { tokens, res } = await e.flow(c);
    const ui = await userinfo(e.meta, tokens.access_token);
    k.checkUserinfoSub(k.checkUserinfo(ui, c, 'GET').sub, decodeJwt(t.idTokenOf(res, c)).sub, ui);
  }, /userinfo sub differs from the ID token sub/],
  ['userinfo-no-www-authenticate', async (e) => k.checkInvalidTokenRefused(await userinfo(e.meta, 'not-a-token')), /the 401 lacks WWW-Authenticate/],
  ['userinfo-post-refused', async (e) => {
    const c = e.client('basic');
    const { tokens } = await e.flow(c);
    k.checkUserinfo(await userinfo(e.meta, tokens.access_token, 'POST'), c, 'POST');
  }, /userinfo POST with a valid bearer token failed/],
  ['refresh-for-all', async (e) => {
    const c = e.client('basic');
    const { tokens, res } = await e.flow(c, { scope: 'openid offline_access profile' });
    k.checkRefreshIssued(tokens, c, 'openid profile', res);
  }, /a refresh token was issued to basic, which is not allowed the refresh_token grant/],
  ['refresh-no-rotation', async (e) => {
    const c = e.client('refresher');
    const { tokens } = await e.flow(c);
    const rt = tokens.refresh_token!;
    const refreshed = await refreshGrant(e.meta, { client: c }, rt);
    k.checkRotation(k.checkRefreshWorks(refreshed, c), rt, await refreshGrant(e.meta, { client: c }, rt), refreshed, k.rotationBasis(c, e.profile.behaviour)!);
  }, /did not rotate the refresh token/],
  ['introspection-no-client-auth', async (e) => {
    const { tokens } = await e.flow(e.client('basic'));
    k.checkIntrospectionNeedsAuth(await introspect(e.meta, { client: e.client('basic'), auth: 'omit' }, tokens.access_token));
  }, /introspection answered active:true without client authentication/],
  ['revocation-noop', async (e) => {
    const c = e.client('basic');
    const { tokens } = await e.flow(c);
    const revocation = await revoke(e.meta, { client: c }, tokens.access_token, 'access_token');
    k.checkRevocationAnswer(revocation);
    k.checkRevokedAccessRefused(await userinfo(e.meta, tokens.access_token), revocation);
  }, /userinfo still accepts a revoked access token/],
  ['claims-in-id-token', (e) => claimsTable(e, ['id_token']), /email: in id_token although the claims profile keeps it out/],
  ['userinfo-drops-groups', (e) => claimsTable(e, ['userinfo']), /groups: missing from userinfo/],
  ['email-verified-as-string', (e) => claimsTable(e, ['userinfo']), /email_verified: userinfo has "true", expected true/],
  ['claims-leak', async (e) => {
    const { observed, granted } = await observe(e, e.client('basic'), 'openid');
    c.checkNoLeak(granted, observed, 'only openid requested');
  }, /claims of scopes not granted: email \(scope email\) in userinfo/],
  ['scope-not-enforced', async (e) => {
    const client = e.client('refresher');
    const { url } = await e.callback(client, { scope: 'openid offline_access profile email' });
    // The healthy provider refuses the request (invalid_scope), as the suite accepts.
    if (url.searchParams.get('error') === 'invalid_scope') return;
    const { observed, granted } = await observe(e, client, 'openid offline_access profile email');
    c.checkNoEscalation('email', client, granted.join(' '), observed);
  }, /refresher obtained scope email, which it is not allowed/],
  ['sub-per-login', async (e) => {
    const client = e.client('basic');
    const first = await observe(e, client);
    const second = await observe(e, client);
    c.checkSubStable([{ where: 'ID token', sub: first.observed.id_token.sub }, { where: 'userinfo', sub: first.observed.userinfo.sub }, { where: 'ID token again', sub: second.observed.id_token.sub }]);
  }, /sub differs/],
  ['redirect-uri-prefix-match', (e) => redirectVariant(e, 'prefix-match'), /the provider redirected to http:\/\/127\.0\.0\.1:\d+\/cb\/basicevil with code, state, iss/],
  ['redirect-uri-case-insensitive', (e) => redirectVariant(e, 'case-changed'), /the provider redirected to http:\/\/127\.0\.0\.1:\d+\/CB\/BASIC with code/],
  ['redirect-uri-error-redirect', (e) => redirectVariant(e, 'unregistered'), /the provider redirected to https:\/\/rp\.invalid\/callback with error, state/],
  ['cors-wildcard', async (e) => {
    const probes: cr.Probe[] = [];
    for (const kind of ['preflight', 'actual'] as const) {
      const response = await send({ method: kind === 'preflight' ? 'OPTIONS' : 'POST', url: String(e.meta.token_endpoint), headers: kind === 'preflight' ? { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } : { origin: 'https://app.example.com' }, ...(kind === 'actual' ? { body: 'grant_type=x' } : {}) });
      probes.push({ kind, originKind: 'allowed', origin: 'https://app.example.com', method: 'POST', headers: [], response });
    }
    cr.checkCorsRequirement('token', 'allowed-origin', probes, { provider: e.profile.provider, clients: e.profile.clients, ...(e.profile.behaviour ? { behaviour: e.profile.behaviour } : {}) });
  }, /token endpoint: preflight from allowed origin \(HTTP \d+\): Access-Control-Allow-Origin "\*", expected absent/],
  ['entropy-not-enforced', async (e) => {
    const { url } = await e.callback(e.client('basic'), { params: { state: 'x'.repeat(7) } });
    cu.checkFrontRefused({ callback: url }, { message: 'a state of 7 characters was accepted for basic', source: 'minimum_parameter_entropy = 8', sent: { state: '7 characters' } });
  }, /a state of 7 characters was accepted for basic/],
  ['response-mode-not-enforced', async (e) => {
    const { url } = await e.callback(e.client('basic'), { params: { response_mode: 'fragment' } });
    cu.checkFrontRefused({ callback: url }, { message: 'response_mode fragment was served to basic', source: 'response_modes', sent: { response_mode: 'fragment' } });
  }, /response_mode fragment was served to basic/],
  ['consent-skipped', async (e) => {
    const client = e.client('refresher');
    await e.callback(client);
    const req = await authorizationRequest(e.meta, client, NO_PROMPT);
    const r2 = await e.session.follow(req.url, req.redirectUri);
    cu.checkConsentMode(client, r2.kind === 'page', r2.kind === 'page' ? r2.url.pathname : undefined);
  }, /refresher got a code without being asked for consent again/],
  ['consent-not-remembered', async (e) => {
    const client = e.client('refresher');
    await e.callback(client);
    const asked = async (scope: string, remember: boolean) => {
      const req = await authorizationRequest(e.meta, client, { scope, ...NO_PROMPT });
      const r2 = await e.session.follow(req.url, req.redirectUri);
      if (r2.kind === 'callback') return false;
      const sub = consentSubmission(r2.body, r2.url, EMBEDDED_SELECTORS, 'accept', remember);
      if (sub) await e.session.submit(sub, req.redirectUri);
      return true;
    };
    const first = await asked('openid offline_access profile', true);
    const again = await asked('openid offline_access profile', false);
    const otherScopes = await asked('openid profile', false);
    cu.checkRememberedConsent(client, { first, again, otherScopes });
  }, /pre-configured consent for refresher: asked again for the same scopes after "remember"/, (p) => ({ ...p, clients: p.clients.map((cl) => (cl.id === 'refresher' ? { ...cl, consentMode: 'pre-configured' as const, preConfiguredConsentDuration: 3600 } : cl)) })],
  ['second-factor-skipped', async (e) => {
    // 'refresher' turned two_factor by twoFactorEdit: a one-factor session via 'basic' first.
    const s = workerSession(e);
    try {
      const result = await s.afterOneFactor(e.client('basic'), await s.request(e.client('refresher')));
      if (!result) throw new Error('no one-factor session');
      cu.checkSecondFactorDemanded(result, e.client('refresher'));
    } finally {
      await s.close();
    }
  }, /refresher got a code on a session signed in with one factor only/, twoFactorEdit],
  ['updated-at-as-string', async (e) => {
    const i = await idTokenInput(e);
    c.checkIdTokenClaimTypes({ where: 'ID token', claims: decodeJwt(i.idToken) as Record<string, unknown>, response: i.response });
  }, /ID token claims of the wrong JSON type: updated_at is string "\d{4}-.*", expected a number/],
  ['email-verified-as-string', async (e) => {
    const { tokens } = await e.flow(e.client('basic'));
    const res = await userinfo(e.meta, tokens.access_token);
    c.checkUserinfoClaimTypes({ where: 'userinfo', claims: k.checkUserinfo(res, e.client('basic'), 'GET'), response: res });
  }, /userinfo claims of the wrong JSON type: email_verified is string "true", expected a boolean/],
  ['groups-as-string', async (e) => {
    const { tokens, res: tokenRes } = await e.flow(e.client('basic'));
    const res = await userinfo(e.meta, tokens.access_token);
    c.checkNonStandardClaimTypes([
      { where: 'ID token', claims: decodeJwt(t.idTokenOf(tokenRes, e.client('basic'))) as Record<string, unknown>, response: tokenRes },
      { where: 'userinfo', claims: k.checkUserinfo(res, e.client('basic'), 'GET'), response: res },
    ]);
  }, /userinfo: groups is string "admins", expected an array of strings/],
  ['id-token-typ', async (e) => t.checkTyp(await idTokenInput(e)), /ID token header typ "ID\+JWT": the Rust openidconnect crate rejects it/],
  ['id-token-crit', async (e) => t.checkCrit(await idTokenInput(e)), /ID token header marks "urn:example:harness-critical" critical/],
  ['id-token-cty', async (e) => t.checkCty(await idTokenInput(e)), /ID token header cty "JWT" says the payload is a nested JWT/],
  ['id-token-stale-nonce', async (e) => {
    t.checkNonceAcrossPaths((await sessionPaths(e)).map((p) => ({ path: p.path, nonceSent: p.nonce, idToken: t.idTokenOf(p.res, e.client('basic')), tokenRes: p.res })));
  }, /ID token nonce wrong on session reuse 2 \(carries the nonce of the earlier "session reuse 1" authorization\)/],
  ['authorization-stale-state', async (e) => {
    f.checkStateAcrossPaths((await sessionPaths(e)).map((p) => ({ path: p.path, callback: p.callback })));
  }, /state wrong on session reuse 2 \(carries the state of the earlier "session reuse 1" authorization\)/],
  ['authorization-iss-dropped-on-reuse', async (e) => {
    f.checkIssAcrossPaths((await sessionPaths(e)).map((p) => ({ path: p.path, callback: p.callback })), e.meta.authorization_response_iss_parameter_supported === true);
  }, /iss wrong on session reuse 2 \(no iss\) although authorization_response_iss_parameter_supported is true/],
  ['token-errors-text-plain', async (e) => { te.checkErrorFormat(await errorProbes(e.meta, e.client('basic'))); }, /error responses not served as JSON: token \(wrong secret, Basic\): Content-Type "text\/plain; charset=utf-8", not application\/json/],
  ['token-errors-no-www-authenticate', async (e) => { te.checkWwwAuthenticate(await errorProbes(e.meta, e.client('post'))); }, /invalid_client after Basic authentication: token \(wrong secret, Basic\): no WWW-Authenticate/],
  ['auth-both-methods-accepted', async (e) => {
    for (const id of ['basic', 'post']) {
      const client = e.client(id);
      const { url, req } = await e.callback(client);
      f.checkSingleAuthMethod(await exchangeWithBothMethods(e.meta, client, url.searchParams.get('code')!, req.redirectUri, req.verifier), client);
    }
  }, /the token endpoint accepted basic authenticating with client_secret_basic and client_secret_post in the same request/],
];

describe('pairwise subjects', () => {
  const sectored = (p: import('../src/model/target.ts').TargetProfile) => ({ ...p, clients: p.clients.map((cl) => (cl.id === 'post' ? { ...cl, sectorIdentifierUri: 'https://sector.example.com', sources: { ...cl.sources, sectorIdentifierUri: 'test: clients.post.sector_identifier_uri = https://sector.example.com' } } : cl)) });
  const run = async (e: Env) => {
    const subs: c.ClientSub[] = [];
    for (const id of ['basic', 'post', 'refresher']) {
      const client = e.client(id);
      const { res } = await e.flow(client);
      subs.push({ client, sub: decodeJwt(t.idTokenOf(res, client)).sub });
    }
    c.checkSubjectTypes(subs);
  };
  it('the reference provider gives a sector its own sub and the public clients one shared sub', async () => {
    await run(await env([], sectored));
  });
  it('a provider ignoring sector_identifier_uri fails, naming the key', async () => {
    const err = await env(['pairwise-ignored'], sectored).then(run).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(CheckFailure);
    expect((err as CheckFailure).message).toMatch(/basic \(\(public\)\) and post \(https:\/\/sector\.example\.com\) got the same sub/);
    expect((err as CheckFailure).detail.source).toMatch(/sector_identifier_uri/);
  });
});

describe('claims policies (Authelia 4.39) in the reference provider', () => {
  it('put the listed claims, and only those, back into the ID token', async () => {
    const e = await env([], (p) => ({ ...p, clients: p.clients.map((cl) => (cl.id === 'basic' ? { ...cl, idTokenClaims: ['email', 'groups'] } : cl)) }));
    const client = e.client('basic');
    const { observed } = await observe(e, client);
    expect(observed.id_token.email).toBe('john@example.com');
    expect(observed.id_token.groups).toEqual(['admins']);
    expect(observed.id_token.name).toBeUndefined();
    await claimsTable(e, ['id_token', 'userinfo']);
  });
});

describe('checks against the reference provider', () => {
  it.each(cases)('%s: passes on the healthy provider', async (_fault, run, _message, edit) => {
    await run(await env([], edit));
  });

  it.each(cases)('%s: the check fails with a clear message', async (fault, run, message, edit) => {
    const e = await env([fault], edit);
    const err = await Promise.resolve()
      .then(() => run(e))
      .then(() => undefined, (x: unknown) => x);
    expect(err, `${fault} was not detected`).toBeInstanceOf(CheckFailure);
    expect((err as CheckFailure).message).toMatch(message);
  });
});

describe('lifespans against the reference provider', () => {
  // refresher gets a custom lifespan set, so per-client overrides and a short code are exercised.
  const short = (p: import('../src/model/target.ts').TargetProfile) => ({
    ...p,
    clients: p.clients.map((cl) => (cl.id === 'refresher' ? { ...cl, lifespan: 'short' } : cl)),
    provider: { ...p.provider, customLifespans: { short: { accessToken: 1800, authorizeCode: 2 } }, sources: { ...p.provider.sources, 'customLifespans.short.accessToken': 'test: lifespans.custom.short.access_token = 30m' } },
  });
  const run = async (e: Env) => {
    const client = e.client('refresher');
    const { tokens, res } = await e.flow(client);
    const claims = decodeJwt(t.idTokenOf(res, client)) as Record<string, unknown>;
    lf.checkDuration('ID token exp - iat', lf.lifetimeOf(claims), lf.lifespanFor(client, e.profile.provider, 'idToken'), 5, []);
    lf.checkDuration('access token expires_in', tokens.expires_in, lf.lifespanFor(client, e.profile.provider, 'accessToken'), 5, []);
    const intro = (await introspect(e.meta, { client }, tokens.refresh_token!, 'refresh_token')).json as Record<string, unknown>;
    lf.checkDuration('refresh token exp - iat', lf.lifetimeOf(intro), lf.lifespanFor(client, e.profile.provider, 'refreshToken'), 5, []);
  };
  it('the healthy provider honours global and per-client lifespans', async () => {
    await run(await env([], short));
  });
  it('a provider ignoring them fails, naming the configured key', async () => {
    const err = await Promise.resolve(env(['lifespans-ignored'], short)).then(run).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(CheckFailure);
    expect((err as CheckFailure).message).toMatch(/ID token exp - iat is 7200 s, configured 3600 s/);
  });
  it('the per-client access token lifespan is the one checked', () => {
    const p = short(testProfile());
    const got = lf.lifespanFor(p.clients.find((cl) => cl.id === 'refresher')!, p.provider, 'accessToken');
    expect(got).toEqual({ seconds: 1800, source: expect.stringMatching(/lifespans\.custom\.short\.access_token = 30m/) as unknown as string });
  });
  it.each([[[] as Fault[], undefined], [['lifespans-ignored' as Fault], /a code was redeemed 3 s after issue, past its 2 s lifespan/]])('authorize_code lifespan with faults %j', async (faults, message) => {
    const e = await env(faults, short);
    const client = e.client('refresher');
    const { url, req } = await e.callback(client);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const res = await exchangeCode(e.meta, { client }, url.searchParams.get('code')!, req.redirectUri, req.verifier);
    const check = () => expectRefusal(res, ['invalid_grant'], { label: 'token', message: 'a code was redeemed 3 s after issue, past its 2 s lifespan' });
    if (!message) check();
    else expect(check).toThrow(message);
  });
});
