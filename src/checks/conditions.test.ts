// Conditions fed recorded (stubbed) wrong provider behaviour: each must fail with a message that
// names what is wrong. Faults reproduced on a live provider are in test/faults.test.ts.

import { describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { HttpError, type RawResponse } from '../http/exchange.ts';
import { CheckFailure, CheckSkipped } from './verdict.ts';
import * as v from './verdict.ts';
import { expectConfigured } from './basis.ts';
import * as d from './discovery.ts';
import * as f from './code-flow.ts';
import * as t from './id-token.ts';
import * as k from './tokens.ts';
import * as l from './login.ts';
import * as cl from './claims.ts';
import * as cors from './cors.ts';
import * as cu from './client-rules.ts';
import * as rd from './redirect-uri.ts';
import * as cc from './concurrency.ts';
import * as lf from './lifespans.ts';
import * as te from './token-errors.ts';
import { client, testProfile } from '../../test/profile-fixture.ts';
import { thrown } from '../../test/thrown.ts';
import { formPostCallback, formPostResponse } from '../protocol/form-post.ts';
import { isErrorPage, pageKind } from '../protocol/forms.ts';
import * as rp from './rp-library.ts';

function raw(status: number, json?: unknown, headers: Record<string, string> = {}): RawResponse {
  const text = json === undefined ? '' : typeof json === 'string' ? json : JSON.stringify(json);
  const hdrs = { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers };
  return { status, headers: hdrs, text, json: typeof json === 'string' ? undefined : json, exchange: { request: { method: 'POST', url: 'http://op.test/x' }, response: { status, headers: hdrs, body: text } } };
}

const failure = (fn: () => unknown): CheckFailure => thrown(CheckFailure, fn);

async function failureAsync(fn: () => Promise<unknown>): Promise<CheckFailure> {
  return fn().then(
    () => {
      throw new Error('the check passed but should have failed');
    },
    (err: unknown) => {
      if (err instanceof CheckFailure) return err;
      throw err;
    },
  );
}

const profile = testProfile();
const basic = profile.clients[0]!;
const good: d.Jwks = { keys: [{ kty: 'RSA', kid: 'k1', n: 'x', e: 'AQAB', use: 'sig' }] };

describe('discovery conditions', () => {
  it('reachable: a non-JSON answer fails', () => {
    expect(failure(() => d.checkReachable(raw(200, '<html>', { 'content-type': 'text/html' }))).message).toMatch(/not served as a JSON object/);
    expect(failure(() => d.checkReachable(raw(200, { issuer: 'x' }, { 'content-type': 'text/plain' }))).message).toMatch(/not served as application\/json/);
    expect(failure(() => d.checkReachable(raw(404, { error: 'not_found' }))).detail.observed).toBe('HTTP 404 not_found');
  });
  it('required metadata: http endpoints off loopback and missing lists fail', () => {
    const err = failure(() => d.checkRequiredMetadata({ authorization_endpoint: 'http://op.example.com/a', token_endpoint: 'https://op.example.com/t', jwks_uri: 'https://op.example.com/j', response_types_supported: ['code'] }, raw(200, {})));
    expect(err.message).toMatch(/authorization_endpoint: not https/);
    expect(err.message).toMatch(/subject_types_supported: missing/);
  });
  it('userinfo endpoint absent fails (warning)', () => {
    expect(failure(() => d.checkUserinfoAdvertised({}, raw(200, {}))).message).toMatch(/userinfo_endpoint is not advertised/);
  });
  it('jwks: empty, keyless and private key sets fail', () => {
    expect(failure(() => d.checkJwks(raw(200, { keys: [] }))).message).toMatch(/no keys/);
    expect(failure(() => d.checkJwks(raw(200, { keys: [{ kty: 'RSA', d: 'secret', kid: 'a' }] }))).message).toMatch(/exposes private key material/);
    expect(failure(() => d.checkJwks(raw(200, { keys: [{ kty: 'RSA', use: 'enc' }] }))).message).toMatch(/no signing key/);
  });
  it('response type code missing fails', () => {
    expect(failure(() => d.checkResponseTypeCode({ response_types_supported: ['id_token'] }, raw(200, {}))).message).toMatch(/lacks code/);
  });
  it('auth methods: a configured method not advertised fails, naming the client and config key', () => {
    const err = failure(() => d.checkAuthMethods({ token_endpoint_auth_methods_supported: ['client_secret_basic'] }, profile, raw(200, {})));
    expect(err.message).toMatch(/lacks client_secret_post, none used by post, spa/);
  });
  it('id token algs: RS256 or a client alg missing fails', () => {
    expect(failure(() => d.checkIdTokenAlgs({ id_token_signing_alg_values_supported: ['ES256'] }, profile, raw(200, {}))).message).toMatch(/lacks RS256/);
    const p = { ...profile, clients: [client('es', { idTokenSignedResponseAlg: 'ES256' })] };
    expect(failure(() => d.checkIdTokenAlgs({ id_token_signing_alg_values_supported: ['RS256'] }, p, raw(200, {}))).message).toMatch(/lacks ES256 \(es\)/);
  });
  it('pkce methods: absent or plain advertised against the configuration fails', () => {
    expect(failure(() => d.checkPkceMethods({}, profile, raw(200, {}))).message).toMatch(/not advertised/);
    expect(failure(() => d.checkPkceMethods({ code_challenge_methods_supported: ['plain'] }, profile, raw(200, {}))).message).toMatch(/lacks S256/);
  });
  it('grant types: refresh_token configured but not advertised fails', () => {
    expect(failure(() => d.checkGrantTypes({ grant_types_supported: ['authorization_code'] }, profile, raw(200, {}))).message).toMatch(/grant_types_supported lacks refresh_token \(configured for refresher, spa\)/);
  });
  it('scopes: a configured scope not advertised fails', () => {
    expect(failure(() => d.checkScopes({ scopes_supported: ['openid'] }, profile, raw(200, {}))).message).toMatch(/scopes_supported lacks profile, email, groups, offline_access/);
  });
});

describe('ID token conditions', () => {
  async function input(claims: jose.JWTPayload, alg = 'RS256'): Promise<t.IdTokenInput> {
    const { privateKey } = await jose.generateKeyPair('RS256');
    const idToken = await new jose.SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).sign(privateKey);
    return { client: basic, issuer: 'http://op.test', response: raw(200, {}), idToken, nonce: 'n', jwks: good, skew: 5, startedAt: Math.floor(Date.now() / 1000) - 1, authTimeRequired: true };
  }
  it('alg other than the configured one fails, naming the config key', async () => {
    const c = { ...basic, idTokenSignedResponseAlg: 'PS256', sources: { idTokenSignedResponseAlg: 'configuration.yml: clients[0].id_token_signed_response_alg = PS256' } };
    const i = await input({ sub: 'a' });
    const e = failure(() => t.checkAlg({ ...i, client: c }));
    expect(e.message).toMatch(/ID token alg RS256 is not PS256/);
    expect(e.detail.source).toMatch(/id_token_signed_response_alg = PS256/);
  });
  it('sub missing, several audiences without azp, and no nonce fail', async () => {
    const i = await input({ aud: ['basic', 'other'], iss: 'http://op.test' });
    expect(failure(() => t.checkSub(i)).message).toMatch(/sub is missing/);
    expect(failure(() => t.checkAud(i)).message).toMatch(/several audiences but no azp/);
    expect(failure(() => t.checkNonce(i)).message).toMatch(/has no nonce although one was sent/);
  });
  it('at_hash: absent is skipped (OPTIONAL in the code flow), never passed', async () => {
    const i = await input({ sub: 'a' });
    expect(thrown(CheckSkipped, () => t.checkAtHash({ ...i, accessToken: 'at' })).message).toMatch(/no at_hash: OIDC Core §3\.1\.3\.6 makes it OPTIONAL in the code flow/);
  });
  it('auth_time: absent fails where required, is skipped (not passed) where OIDC Core does not require it', async () => {
    const i = await input({ sub: 'a' });
    expect(failure(() => t.checkAuthTime(i)).message).toMatch(/auth_time is missing/);
    expect(() => t.checkAuthTime({ ...i, authTimeRequired: false })).toThrow(CheckSkipped);
  });
  it('present: a token response without id_token fails', () => {
    expect(failure(() => t.idTokenOf(raw(200, { access_token: 'a', token_type: 'Bearer' }), basic)).message).toMatch(/no id_token in the token response for basic/);
  });
  it('signature: no key for the kid fails', async () => {
    const i = await input({ sub: 'a' });
    const err = await failureAsync(() => t.checkSignature({ ...i, jwks: { keys: [{ kty: 'RSA', kid: 'other', n: 'x', e: 'AQAB' }] } }));
    expect(err.message).toMatch(/no key in the JWKS for kid "k1"/);
  });
});

describe('code flow conditions', () => {
  const cb = (q: string, state = 's1') => ({ url: new URL(`http://127.0.0.1:1/cb?${q}`), state, issuer: 'http://op.test' });
  it('token response without no-store or with a wrong token_type fails', () => {
    const err = failure(() => f.checkTokenResponse(raw(200, { access_token: 'a', token_type: 'mac' }, { 'cache-control': 'max-age=60' }), basic));
    expect(err.message).toMatch(/token_type "mac" is not Bearer; Cache-Control "max-age=60" lacks no-store/);
  });
  it('a refused exchange names the configured method and its source', () => {
    const err = failure(() => f.checkTokenResponse(raw(401, { error: 'invalid_client' }), basic));
    expect(err.message).toMatch(/refused basic authenticating with client_secret_basic/);
    expect(err.detail.source).toMatch(/token_endpoint_auth_method/);
  });
  it('wrong secret accepted fails', () => {
    expect(failure(() => f.checkWrongSecretRefused(raw(200, { access_token: 'a' }), basic)).message).toMatch(/accepted a wrong secret for basic/);
  });
  it('iss missing although advertised, or wrong, fails', () => {
    expect(failure(() => f.checkIssParameter(cb('code=c&state=s1'), true)).message).toMatch(/has no iss/);
    expect(failure(() => f.checkIssParameter(cb('code=c&state=s1&iss=http://evil'), false)).message).toMatch(/iss http:\/\/evil is not the issuer/);
  });
  it('state changed fails', () => {
    expect(failure(() => f.checkStateEchoed(cb('code=c&state=other'))).message).toMatch(/state differs/);
  });
  it('another redirect_uri accepted fails', () => {
    expect(failure(() => f.checkRedirectBound(raw(200, { access_token: 'a' }))).message).toMatch(/redirect_uri other than/);
  });
  it('tokens active after reuse is a warning-level failure', () => {
    expect(failure(() => f.checkReuseRevokes(raw(200, { active: true }), 'introspection')).message).toMatch(/stays active after the code was reused/);
    expect(failure(() => f.checkReuseRevokes(raw(200, { sub: 'x' }), 'userinfo')).message).toMatch(/stays active/);
  });
  it('revoked after reuse is recognised (introspection active false, userinfo 401); any other answer is "cannot tell"', () => {
    expect(() => f.checkReuseRevokes(raw(200, { active: false }), 'introspection')).not.toThrow();
    expect(() => f.checkReuseRevokes(raw(401, { error: 'invalid_token' }), 'userinfo')).not.toThrow();
    expect(thrown(CheckSkipped, () => f.checkReuseRevokes(raw(503, { error: 'temporarily_unavailable' }), 'introspection')).message).toMatch(/cannot tell whether the tokens of the first redemption were revoked: introspection answered HTTP 503 temporarily_unavailable/);
    expect(thrown(CheckSkipped, () => f.checkReuseRevokes(raw(400, { error: 'invalid_request' }), 'userinfo')).message).toMatch(/userinfo answered HTTP 400 invalid_request/);
    expect(thrown(CheckSkipped, () => f.checkReuseRevokes(raw(200, {}), 'introspection')).message).toMatch(/with active undefined/);
  });
  it('wrong verifier accepted fails', () => {
    expect(failure(() => f.checkWrongVerifierRefused(raw(200, { access_token: 'a' }))).message).toMatch(/wrong code_verifier/);
  });
  it('a code issued where the request should be refused fails', () => {
    expect(failure(() => f.checkAuthorizationRefused({ callback: new URL('http://127.0.0.1:1/cb?code=c') }, { message: 'plain accepted', source: 'enable_pkce_plain_challenge = false' })).message).toBe('plain accepted');
  });
  it('an error redirect, not a code, when authorization failed is reported as refused', () => {
    expect(failure(() => f.codeOf(cb('error=access_denied&error_description=nope'))).message).toMatch(/refused: access_denied \(nope\)/);
  });
  it('pkceRequired follows enforce_pkce and require_pkce', () => {
    expect(f.pkceRequired(basic, profile.provider).required).toBe(false);
    expect(f.pkceRequired(profile.clients[3]!, profile.provider).required).toBe(true);
    expect(f.pkceRequired(basic, { ...profile.provider, enforcePkce: 'always' }).required).toBe(true);
  });
});

describe('token endpoint family conditions', () => {
  it('refresh grant failing fails', () => {
    expect(failure(() => k.checkRefreshWorks(raw(400, { error: 'invalid_grant' }), basic)).message).toMatch(/refresh grant failed for basic/);
  });
  it('a client without the grant refreshing fails', () => {
    expect(failure(() => k.checkRefreshRefused(raw(200, { access_token: 'a' }), basic)).message).toMatch(/basic used the refresh grant \(with a refresh token not its own\) although it is not allowed/);
    expect(failure(() => k.checkOwnRefreshRefused(raw(200, { access_token: 'a' }), basic)).message).toMatch(/basic used the refresh grant with the refresh token it was issued/);
  });
  it('another client\'s refresh token: only unauthorized_client shows the grant restriction; another refusal is "cannot tell"', () => {
    expect(() => k.checkRefreshRefused(raw(400, { error: 'unauthorized_client' }), basic, 'the refresh token of refresher')).not.toThrow();
    expect(thrown(CheckSkipped, () => k.checkRefreshRefused(raw(400, { error: 'invalid_grant', error_description: 'client mismatch' }), basic, 'the refresh token of refresher')).message).toMatch(/cannot tell whether the grant restriction or the binding refused it: basic presented the refresh token of refresher and got HTTP 400 invalid_grant \(client mismatch\)/);
    expect(() => k.checkOwnRefreshRefused(raw(400, { error: 'invalid_grant' }), basic)).not.toThrow();
  });
  it('a refresh token accepted from another client fails', () => {
    expect(failure(() => k.checkRefreshBound(raw(200, { access_token: 'a' }), basic, profile.clients[1]!)).message).toMatch(/refresh token of basic was accepted from post/);
  });
  it('no refresh token where one is due fails', () => {
    const r = profile.clients[2]!;
    expect(failure(() => k.checkRefreshIssued({}, r, 'openid offline_access', raw(200, {}))).message).toMatch(/no refresh token for refresher/);
  });
  it('introspection: inactive, wrong client or sub fail', () => {
    const err = failure(() => k.checkIntrospectionActive(raw(200, { active: true, client_id: 'other', sub: 'x' }), basic, 'y'));
    expect(err.message).toMatch(/client_id "other" is not basic; sub "x" is not the ID token's/);
    expect(failure(() => k.checkIntrospectionActive(raw(200, { active: false }), basic, 'y')).message).toMatch(/active is false/);
  });
  it('introspection: absent client_id or sub is a warning of its own, not a pass and not introspection.active\'s failure', () => {
    expect(() => k.checkIntrospectionActive(raw(200, { active: true }), basic, 'y')).not.toThrow();
    expect(failure(() => k.checkIntrospectionIdentifies(raw(200, { active: true, client_id: 'basic' }), basic, 'y')).message).toMatch(/has no sub: a resource server cannot tell/);
    expect(failure(() => k.checkIntrospectionIdentifies(raw(200, { active: true }), basic, 'y')).message).toMatch(/has no client_id and no sub/);
    expect(() => k.checkIntrospectionIdentifies(raw(200, { active: true, client_id: 'basic', sub: 'y' }), basic, 'y')).not.toThrow();
    expect(k.introspectionChecks.identifies.severity).toBe('warning');
  });
  it('introspection: a revoked token still active fails', () => {
    expect(failure(() => k.checkIntrospectionInactive(raw(200, { active: true }), raw(200))).message).toMatch(/still introspects as active/);
  });
  it('introspection without client auth answered 200 inactive is still not a refusal', () => {
    expect(failure(() => k.checkIntrospectionNeedsAuth(raw(200, { active: false }))).message).toMatch(/was not refused/);
  });
  it('revocation: an error answer, and a revoked refresh token accepted, fail', () => {
    expect(failure(() => k.checkRevocationAnswer(raw(503, { error: 'temporarily_unavailable' }))).message).toMatch(/revocation answered HTTP 503/);
    expect(failure(() => k.checkRevokedRefreshRefused(raw(200, { access_token: 'a' }), raw(200))).message).toMatch(/revoked refresh token was accepted/);
  });
  it('userinfo: a JWT answer to a client configured for JSON fails; no sub fails', () => {
    expect(failure(() => k.checkUserinfo(raw(200, 'e.y.j', { 'content-type': 'application/jwt' }), basic, 'GET')).message).toMatch(/answered a JWT/);
    expect(failure(() => k.checkUserinfo(raw(200, { name: 'x' }), basic, 'GET')).message).toMatch(/userinfo has no sub/);
  });
  it('userinfo: a 200 to an invalid token fails', () => {
    expect(failure(() => k.checkInvalidTokenRefused(raw(200, { sub: 'x' }))).message).toMatch(/userinfo answered HTTP 200 to an invalid token/);
  });
});

describe('login conditions', () => {
  it('a landing without code, state or login page fails', () => {
    const err = failure(() => l.checkLanded(new URL('http://127.0.0.1:1/cb?error=server_error'), 'http://127.0.0.1:1/cb', 's', []));
    expect(err.message).toMatch(/error server_error; state not echoed; no login page was shown/);
  });
  it('a wrong password that redirects, or hides the form, fails', () => {
    expect(failure(() => l.checkStayedOnLogin(true, false, 'x')).message).toMatch(/wrong password sent the browser to the relying party/);
    expect(failure(() => l.checkStayedOnLogin(false, false, 'x')).message).toMatch(/login form is gone/);
  });
  it('a deny answered with a code fails', () => {
    expect(failure(() => l.checkDenied(new URL('http://127.0.0.1:1/cb?code=c&state=s'), 's', ['login', 'consent'])).message).toMatch(/denying consent gave a code/);
  });
  it('a deny check that saw no consent page fails, whatever the landing says', () => {
    expect(failure(() => l.checkDenied(new URL('http://127.0.0.1:1/cb?error=access_denied&state=s'), 's', ['login'])).message).toMatch(/no consent page was shown although prompt=consent was sent/);
  });
  it('a login that skipped the consent page prompt=consent asked for fails', () => {
    expect(failure(() => l.checkLanded(new URL('http://127.0.0.1:1/cb?code=c&state=s'), 'http://127.0.0.1:1/cb', 's', ['login'], true)).message).toMatch(/no consent page was shown although prompt=consent was sent/);
  });
});

describe('claims tables', () => {
  const user = { username: 'john', password: 'x', claims: { email: 'john@example.com', email_verified: true, name: 'John Doe', groups: ['a', 'b'] } };
  const table = (p: 'authelia-legacy' | 'authelia-4.39' | 'oidc-core', c = basic) => cl.expectedClaims(c, user, ['openid', 'profile', 'email', 'groups'], p, 'target.yml');
  const good = { email: 'john@example.com', email_verified: true, name: 'John Doe', groups: ['b', 'a'] };
  it('legacy profile: scope claims missing from the ID token fail, naming the profile', () => {
    const err = failure(() => cl.checkClaims(table('authelia-legacy'), { id_token: { sub: 's' }, userinfo: { sub: 's', ...good } }, ['id_token'], 'ID token'));
    expect(err.message).toMatch(/email: missing from id_token/);
    expect(err.detail.source).toMatch(/authelia-legacy puts scope claims in the ID token/);
  });
  it('4.39 profile: a claim listed by the claims policy must be in the ID token', () => {
    const c = { ...basic, idTokenClaims: ['groups'], sources: { ...basic.sources, idTokenClaims: 'configuration.yml: identity_providers.oidc.claims_policies.p.id_token = groups' } };
    const err = failure(() => cl.checkClaims(table('authelia-4.39', c), { id_token: { sub: 's' }, userinfo: { sub: 's', ...good } }, ['id_token'], 'ID token'));
    expect(err.message).toMatch(/groups: missing from id_token/);
    expect(err.detail.source).toMatch(/claims_policies\.p\.id_token = groups/);
  });
  it('oidc-core: a claim in the ID token with a wrong value fails; groups compare as sets', () => {
    const err = failure(() => cl.checkClaims(table('oidc-core'), { id_token: { name: 'Johnny' }, userinfo: good }, ['id_token', 'userinfo'], 'claims'));
    expect(err.message).toMatch(/name: id_token has "Johnny", expected "John Doe"/);
    expect(cl.sameValue(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(cl.sameValue(['a', 'b'], ['a'])).toBe(false);
  });
  it('a user without expected values gives no table, which fails rather than passes', () => {
    expect(failure(() => cl.checkClaims([], { id_token: {}, userinfo: {} }, ['userinfo'], 'userinfo')).message).toMatch(/no claim to check/);
  });
});

describe('CORS expectations from the configuration and the provider\'s documented behaviour', () => {
  const base = profile.provider;
  const withCors = (cors: Partial<typeof base.cors>) => ({ ...base, cors: { ...base.cors, ...cors }, sources: { 'cors.endpoints': 'configuration.yml: cors.endpoints = token', 'cors.allowedOrigins': 'configuration.yml: cors.allowed_origins' } });
  const clients = [client('a', { redirectUris: ['https://rp.example.com/cb', 'http://localhost:8080/cb'] })];
  const behaviour = profile.behaviour;
  const exp = (endpoint: cors.CorsEndpoint, origin: string | undefined, provider = base, b: typeof behaviour | null = behaviour) => cors.expectedCors(endpoint, origin, { provider, clients, ...(b ? { behaviour: b } : {}) });
  it('with the provider\'s word: discovery and JWKS answer * to any origin, nothing without an Origin', () => {
    expect(exp('jwks', 'http://x.example')).toMatchObject({ allowOrigin: '*' });
    expect(exp('discovery', undefined)).toMatchObject({ allowOrigin: null });
  });
  it('without a provider: no expectation for discovery, JWKS or requests without Origin, with the reason', () => {
    expect(exp('jwks', 'http://x.example', base, null)).toMatch(/configure nothing for jwks/);
    expect(exp('token', undefined, withCors({ endpoints: ['token'] }), null)).toMatch(/without Origin/);
    expect(exp('token', 'https://any.example', withCors({ endpoints: ['token'], allowedOrigins: [] }), null)).toMatch(/no allowed origin is configured/);
    // Configured values still apply: a listed endpoint and a listed origin.
    expect(exp('token', 'https://app.example.com', withCors({ endpoints: ['token'], allowedOrigins: ['https://app.example.com'] }), null)).toMatchObject({ allowOrigin: 'https://app.example.com', credentials: false });
  });
  it('an endpoint not listed in cors.endpoints answers no CORS, naming the key', () => {
    const e = exp('userinfo', 'https://app.example.com', withCors({ endpoints: ['token'], allowedOrigins: ['https://app.example.com'] }));
    expect(e).toMatchObject({ allowOrigin: null, source: expect.stringMatching(/cors\.endpoints = token \(does not list userinfo\)/) });
  });
  it('listed: allowed origins echoed with credentials for token; others absent; no list means any https', () => {
    const p = withCors({ endpoints: ['token', 'revocation'], allowedOrigins: ['https://app.example.com'] });
    expect(exp('token', 'https://app.example.com', p)).toMatchObject({ allowOrigin: 'https://app.example.com', credentials: true });
    expect(exp('revocation', 'https://app.example.com', p)).toMatchObject({ credentials: false });
    expect(exp('token', 'https://evil.example.net', p)).toMatchObject({ allowOrigin: null });
    const open = withCors({ endpoints: ['token'], allowedOrigins: [] });
    expect(exp('token', 'https://any.example', open)).toMatchObject({ allowOrigin: 'https://any.example' });
    expect(exp('token', 'http://any.example', open)).toMatchObject({ allowOrigin: null });
  });
  it('origins from redirect URIs exclude localhost; * stands alone', () => {
    const p = withCors({ endpoints: ['token'], allowedOriginsFromClientRedirectUris: true });
    expect(exp('token', 'https://rp.example.com', p)).toMatchObject({ allowOrigin: 'https://rp.example.com' });
    expect(exp('token', 'http://localhost:8080', p)).toMatchObject({ allowOrigin: null });
    expect(exp('token', 'http://x.example', withCors({ endpoints: ['token'], allowedOrigins: ['*'] }))).toMatchObject({ allowOrigin: '*', credentials: false });
  });
  const probe = (originKind: cors.OriginKind, origin: string | undefined, headers: Record<string, string>, kind: 'preflight' | 'actual' = 'preflight') => ({ kind, originKind, origin, method: 'POST', headers: ['content-type'], response: raw(204, undefined, headers) });
  const basis = { provider: withCors({ endpoints: ['token'], allowedOrigins: ['https://app.example.com'] }), clients, ...(behaviour ? { behaviour } : {}) };
  it('each requirement is its own verdict: a second defect stays visible', () => {
    const probes = [probe('allowed', 'https://app.example.com', { 'access-control-allow-origin': 'https://app.example.com' }), probe('disallowed', 'https://evil.example.net', { 'access-control-allow-origin': 'https://evil.example.net' })];
    expect(failure(() => cors.checkCorsRequirement('token', 'allowed-origin', probes, basis)).message).toBe('token endpoint: preflight from allowed origin (HTTP 204): Access-Control-Allow-Methods "" lacks POST, Access-Control-Allow-Headers lacks content-type');
    expect(failure(() => cors.checkCorsRequirement('token', 'disallowed-origin', probes, basis)).message).toBe('token endpoint: preflight from disallowed origin (HTTP 204): Access-Control-Allow-Origin "https://evil.example.net", expected absent');
    expect(failure(() => cors.checkCorsRequirement('token', 'credentials', probes, basis)).message).toMatch(/Access-Control-Allow-Credentials is absent, expected "true"/);
    expect(failure(() => cors.checkCorsRequirement('token', 'vary', probes, basis)).message).toMatch(/depends on Origin .* but Vary lacks Origin/);
  });
  it('credentials "false" is reported as false, not as missing; * with credentials fails everywhere', () => {
    const probes = [probe('allowed', 'https://app.example.com', { 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-credentials': 'false', vary: 'Origin' })];
    expect(failure(() => cors.checkCorsRequirement('token', 'credentials', probes, basis)).message).toMatch(/Access-Control-Allow-Credentials is "false", expected "true"/);
    const generic = { provider: basis.provider, clients };
    expect(failure(() => cors.checkCorsRequirement('jwks', 'credentials', [probe('allowed', 'https://app.example.com', { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' })], generic)).message).toMatch(/Credentials: true with Access-Control-Allow-Origin: \*/);
  });
  it('a static answer needs no Vary; a requirement with no expectation is skipped with the reason', () => {
    const stat = [probe('allowed', 'https://app.example.com', { 'access-control-allow-origin': '*' }), probe('disallowed', 'https://evil.example.net', { 'access-control-allow-origin': '*' })];
    expect(cors.checkCorsRequirement('jwks', 'vary', stat, basis)).toHaveLength(2);
    const generic = { provider: basis.provider, clients };
    expect(thrown(CheckSkipped, () => cors.checkCorsRequirement('jwks', 'allowed-origin', stat, generic)).message).toMatch(/configure nothing for jwks/);
    expect(thrown(CheckSkipped, () => cors.checkCorsRequirement('token', 'no-origin', [probe('none', undefined, {})], generic)).message).toMatch(/without Origin/);
  });
});

describe('per-client rules', () => {
  it('a credential in the fragment is a refusal that did not happen', () => {
    const url = new URL('http://127.0.0.1:1/cb#id_token=x&state=s');
    expect(cu.responseParams(url).get('id_token')).toBe('x');
    expect(failure(() => cu.checkFrontRefused({ callback: url }, { message: 'id_token served', source: 'response_types', sent: {} })).detail.observed).toBe('issued id_token');
  });
  it('a pre-configured consent that never lapses fails', () => {
    expect(failure(() => cu.checkRememberedConsent(basic, { first: true, again: false, otherScopes: true, afterExpiry: false })).message).toMatch(/not asked again after pre_configured_consent_duration/);
  });
  it('an implicit client asked for consent fails, naming consent_mode', () => {
    const c = { ...basic, consentMode: 'implicit' as const, sources: { consentMode: 'configuration.yml: clients[2].consent_mode = implicit' } };
    const err = failure(() => cu.checkConsentMode(c, true, '/interaction/x'));
    expect(err.message).toMatch(/asked for consent although consent_mode is implicit/);
    expect(err.detail.source).toMatch(/consent_mode = implicit/);
    expect(cu.consentExpected({ ...basic, consentMode: 'pre-configured' })).toBeUndefined();
  });
});

describe('front-channel refusals are recognised, never assumed', () => {
  const formPost = (action: string, inputs: Record<string, string>) =>
    `<!DOCTYPE html><html><head><title>Submitting Callback</title><script>document.forms[0].submit()</script></head><body><form method="post" action="${action}">${Object.entries(inputs).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}"/>`).join('')}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
  const page = new URL('http://op.test/api/oidc/authorization?x=1');
  it('a form_post page posting code, state and iss to the redirect_uri is the callback', () => {
    const url = formPostCallback(formPost('http://127.0.0.1:1/cb', { code: 'c1', state: 's1', iss: 'http://op.test' }), page, 'http://127.0.0.1:1/cb');
    expect(url?.href).toBe('http://127.0.0.1:1/cb?code=c1&state=s1&iss=http%3A%2F%2Fop.test');
    expect(failure(() => cu.checkFrontRefused({ callback: url! }, { message: 'form_post served', source: 'response_modes', sent: {} })).detail.observed).toBe('issued code');
  });
  it('a form_post error is an error response; a form to another URI or without response parameters is not a callback', () => {
    expect(formPostCallback(formPost('http://127.0.0.1:1/cb', { error: 'invalid_request', state: 's' }), page, 'http://127.0.0.1:1/cb')?.searchParams.get('error')).toBe('invalid_request');
    expect(formPostCallback(formPost('http://127.0.0.1:1/other', { code: 'c' }), page, 'http://127.0.0.1:1/cb')).toBeUndefined();
    expect(formPostCallback(formPost('http://127.0.0.1:1/cb', { username: 'john' }), page, 'http://127.0.0.1:1/cb')).toBeUndefined();
    expect(formPostResponse('<form method="get" action="http://127.0.0.1:1/cb"><input type="hidden" name="code" value="c"></form>', page)).toBeUndefined();
  });
  it('unquoted and single-quoted names are read too (the cheap test before parsing lets them through)', () => {
    expect(formPostResponse("<form method=POST action=http://127.0.0.1:1/cb><input type=hidden name=code value=c><input type='hidden' name='state' value='s'></form>", page)?.params.toString()).toBe('code=c&state=s');
    expect(formPostResponse('<FORM METHOD="post" ACTION="/cb"><INPUT TYPE="HIDDEN" NAME = "error" VALUE="access_denied"/></FORM>', page)?.params.get('error')).toBe('access_denied');
  });
  it('a driver\'s browser-only selector (Playwright :has-text) finds nothing in raw HTML instead of throwing', () => {
    expect(pageKind('<body><button class="btn-primary">Grant access</button></body>', { username: '#u', password: '#p', submit: '#s', consentAccept: 'button.btn-primary:has-text("Grant access")' })).toBe('unknown');
  });
  it('an error page is a 4xx, or a 200 page mentioning an error, that is no login, OTP or consent page', () => {
    expect(isErrorPage(400, '', 'unknown')).toBe(true);
    expect(isErrorPage(200, '<title>An error occurred</title><body><dl><dt>error</dt></dl></body>', 'unknown')).toBe(true);
    expect(isErrorPage(200, '<body><p>Continue to your application</p></body>', 'unknown')).toBe(false);
    expect(isErrorPage(200, '<body><p>An error occurred</p><form><input id="username"></form></body>', 'login')).toBe(false);
    expect(isErrorPage(200, '<body>error</body>', 'consent')).toBe(false);
    expect(isErrorPage(503, '<body>error</body>', 'unknown')).toBe(false);
    expect(isErrorPage(200, '<body><script>var error = 1</script><p>Welcome</p></body>', 'unknown')).toBe(false);
  });
  it('a page that is not recognisably an error page is "cannot tell", not a refusal', () => {
    const pageUrl = new URL('http://op.test/interstitial');
    expect(thrown(CheckSkipped, () => cu.checkFrontRefused({ pageUrl, status: 200, errorPage: false }, { message: 'm', source: 's', sent: { response_mode: 'form_post' } })).message).toMatch(/cannot tell whether the request \(response_mode form_post\) was refused: the provider stayed on http:\/\/op\.test\/interstitial \(HTTP 200\)/);
    expect(thrown(CheckSkipped, () => f.checkAuthorizationRefused({ pageUrl, status: 200, errorPage: false }, { message: 'm', source: 's' })).message).toMatch(/cannot tell/);
    expect(() => cu.checkFrontRefused({ pageUrl, status: 400, errorPage: true }, { message: 'm', source: 's', sent: {} })).not.toThrow();
  });
});

describe('redirect-uri rejections', () => {
  const page = (status: number, body: string, pageKind?: 'login' | 'consent' | 'otp' | 'unknown') => ({ kind: 'page' as const, url: new URL('http://op.test/api/oidc/authorization'), status, body, ...(pageKind ? { pageKind } : {}) });
  it('an unanswered consent or login page below 500 is "cannot tell", not a rejection', () => {
    expect(thrown(CheckSkipped, () => rd.checkRejected(page(200, '<p>error</p>', 'consent'), 'https://rp.invalid/cb', basic, 'http://op.test')).message).toMatch(/stayed on its consent page \(HTTP 200/);
    expect(thrown(CheckSkipped, () => rd.checkRejected(page(200, '<form><input id="username"></form>', 'login'), 'https://rp.invalid/cb', basic, 'http://op.test')).message).toMatch(/its login page/);
  });
  it('the provider\'s error page (4xx, or 200 mentioning an error) is a rejection; a 5xx and a redirect fail', () => {
    expect(() => rd.checkRejected(page(400, '', 'unknown'), 'https://rp.invalid/cb', basic, 'http://op.test')).not.toThrow();
    expect(() => rd.checkRejected(page(200, '<h1>Invalid redirect_uri</h1>', 'unknown'), 'https://rp.invalid/cb', basic, 'http://op.test')).not.toThrow();
    expect(failure(() => rd.checkRejected(page(502, 'bad gateway', 'unknown'), 'https://rp.invalid/cb', basic, 'http://op.test')).message).toMatch(/answered HTTP 502/);
    expect(failure(() => rd.checkRejected({ kind: 'left', location: 'https://rp.invalid/cb?error=x', status: 400, formPost: true }, 'https://rp.invalid/cb', basic, 'http://op.test')).message).toMatch(/posted a form \(form_post\) to https:\/\/rp\.invalid\/cb with error/);
  });
  it('without redirect_uri, the basis is OIDC Core\'s REQUIRED, not the registered URIs\' matching', () => {
    const err = failure(() => rd.checkRejected({ kind: 'left', location: 'https://rp.example/cb?code=x', status: 303 }, undefined, basic, 'http://op.test'));
    expect(err.message).toBe('the provider redirected to https://rp.example/cb with code for redirect_uri (missing)');
    expect(err.detail).toMatchObject({ source: 'OIDC Core §3.1.2.1: redirect_uri is REQUIRED', expected: 'an error page on the provider, no redirect (the request has no redirect_uri)' });
    expect(failure(() => rd.checkRejected({ kind: 'left', location: 'https://rp.invalid/cb?code=x', status: 303 }, 'https://rp.invalid/cb', basic, 'http://op.test')).detail.source).toMatch(/exact, case-sensitive match$/);
  });
  it('the error-page screenshot needs an error page, not the login page of a signed-in browser', () => {
    expect(thrown(CheckSkipped, () => rd.checkErrorPageShown({ kind: 'login', status: 200, html: '', url: 'http://op.test/login?x' }, 'https://rp.invalid/cb')).message).toMatch(/signed in, the provider shows its login page \(http:\/\/op\.test\/login\)/);
    expect(thrown(CheckSkipped, () => rd.checkErrorPageShown({ kind: 'unknown', status: 200, html: '<p>Welcome</p>', url: 'http://op.test/x' }, 'https://rp.invalid/cb')).message).toMatch(/not recognisably an error page/);
    expect(() => rd.checkErrorPageShown({ kind: 'unknown', status: 400, html: '', url: 'http://op.test/x' }, 'x')).not.toThrow();
    expect(() => rd.checkErrorPageShown({ kind: 'unknown', status: undefined, html: '', url: 'http://op.test/x' }, 'x')).not.toThrow();
  });
});

describe('second factor on a one-factor session', () => {
  const kasm = { ...basic, id: 'kasm', authorizationPolicy: 'two_factor' as const };
  const page = (pageKind: 'login' | 'otp' | 'consent' | 'unknown', status = 200, body = '<p>Welcome</p>') => ({ kind: 'page' as const, url: new URL('http://op.test/interaction/x'), status, body, pageKind });
  it('the second-factor page, an error redirect or the provider\'s error page pass', () => {
    expect(() => cu.checkSecondFactorDemanded(page('otp'), kasm)).not.toThrow();
    expect(() => cu.checkSecondFactorDemanded({ kind: 'callback', url: new URL('http://127.0.0.1:1/cb?error=access_denied&state=s') }, kasm)).not.toThrow();
    expect(() => cu.checkSecondFactorDemanded(page('unknown', 403, ''), kasm)).not.toThrow();
  });
  it('a code fails; a consent, login or neutral page is "cannot tell"', () => {
    expect(failure(() => cu.checkSecondFactorDemanded({ kind: 'callback', url: new URL('http://127.0.0.1:1/cb?code=c&state=s') }, kasm)).message).toMatch(/kasm got a code on a session signed in with one factor only/);
    expect(thrown(CheckSkipped, () => cu.checkSecondFactorDemanded(page('consent'), kasm)).message).toMatch(/cannot tell whether kasm demands a second factor: .*its consent page \(HTTP 200 at http:\/\/op\.test\/interaction\/x\)/);
    expect(thrown(CheckSkipped, () => cu.checkSecondFactorDemanded(page('login'), kasm)).message).toMatch(/its login page/);
    expect(thrown(CheckSkipped, () => cu.checkSecondFactorDemanded(page('unknown'), kasm)).message).toMatch(/neither a second-factor page nor an error page/);
  });
});

describe('claims: granted scopes and escalation', () => {
  const refresher = profile.clients[2]!;
  it('granted is what was requested within the client\'s configured scopes, openid always', () => {
    expect(cl.grantedScopes('openid profile email offline_access', refresher)).toEqual(['openid', 'profile', 'offline_access']);
    expect(cl.grantedScopes('openid', basic)).toEqual(['openid']);
  });
  it('a token response without scope granted what was requested, the extra scope included', () => {
    expect(failure(() => cl.checkNoEscalation('email', refresher, undefined, { id_token: {}, userinfo: { sub: 's' } })).message).toMatch(/refresher obtained scope email, which it is not allowed \(the token response has no scope, which means the scope requested, RFC 6749 §5\.1\)/);
    expect(() => cl.checkNoEscalation('email', refresher, 'openid profile', { id_token: {}, userinfo: { sub: 's' } })).not.toThrow();
  });
  it('an error redirect: invalid_scope, or an error the same request without the scope does not get, passes; else "cannot tell"', () => {
    const u = (q: string) => new URL(`http://127.0.0.1:1/cb?${q}`);
    expect(() => cl.checkEscalationError('email', refresher, u('error=invalid_scope'), u('error=server_error'))).not.toThrow();
    expect(() => cl.checkEscalationError('email', refresher, u('error=access_denied'), u('code=c&state=s'))).not.toThrow();
    expect(thrown(CheckSkipped, () => cl.checkEscalationError('email', refresher, u('error=server_error&error_description=boom'), u('error=server_error'))).message).toMatch(/got error server_error \(boom\), and the same request without it got server_error/);
  });
});

describe('outcomes', () => {
  const def = { id: 'userinfo.get', title: 't', severity: 'failure' as const, spec: 's' };
  const warn = { ...def, severity: 'warning' as const };
  const app = { id: 'app' };
  it('a failure of the check\'s own requirement fails it (or warns, by severity)', () => {
    expect(v.outcomeOf(new v.CheckFailure({ message: 'm' }), def, app).outcome).toBe('failed');
    expect(v.outcomeOf(new v.CheckFailure({ message: 'm' }), warn, app).outcome).toBe('warning');
    expect(v.outcomeOf(new v.CheckFailure({ message: 'm' }, { id: 'userinfo.get', client: 'app' }), def, app).outcome).toBe('failed');
  });
  it('a failure tagged with another check\'s requirement blocks it, naming that check', () => {
    const out = v.outcomeOf(new v.CheckFailure({ message: 'no code' }, { id: 'code.exchange', client: 'app' }), def, app);
    expect(out).toMatchObject({ outcome: 'blocked', blockedBy: 'code.exchange [app]' });
    expect(out.detail.message).toBe('blocked by code.exchange [app]: no code');
    expect(v.outcomeOf(new v.CheckFailure({ message: 'x' }, { id: 'code.exchange', client: 'other' }), { ...def, id: 'code.exchange' }, app).outcome).toBe('blocked');
  });
  it('server errors, no answer and harness defects are errors, never failures', () => {
    expect(v.outcomeOf(new v.ProviderError({ message: 'token answered HTTP 500' }), def, app).outcome).toBe('error');
    expect(v.outcomeOf(new HttpError('timed out', { request: { method: 'GET', url: 'http://x' }, error: 'timeout' }), def, app).outcome).toBe('error');
    const bug = v.outcomeOf(new TypeError('x is undefined'), def, app);
    expect(bug).toMatchObject({ outcome: 'error' });
    expect(bug.detail.message).toMatch(/the harness could not run userinfo\.get: x is undefined/);
  });
  it('asPrerequisite tags untagged failures only', async () => {
    const tagged = await v.asPrerequisite({ id: 'a' }, async () => v.fail({ message: 'm' })).catch((e: unknown) => e);
    expect((tagged as v.CheckFailure).prerequisite).toEqual({ id: 'a' });
    const kept = await v.asPrerequisite({ id: 'b' }, () => v.asPrerequisite({ id: 'a' }, async () => v.fail({ message: 'm' }))).catch((e: unknown) => e);
    expect((kept as v.CheckFailure).prerequisite).toEqual({ id: 'a' });
  });
  it('a 5xx from a setup step is a ProviderError with the exchange', () => {
    const res = { status: 503, headers: {}, text: '', json: undefined, exchange: { request: { method: 'POST', url: 'http://x/token' }, response: { status: 503 } } };
    expect(() => v.expectNoServerError(res as never, 'token')).toThrow(v.ProviderError);
    expect(() => v.expectNoServerError({ ...res, status: 400 } as never, 'token')).not.toThrow();
  });
});

describe('bases', () => {
  const authelia = testProfile();
  const generic = { ...testProfile(), behaviour: undefined };
  it('a value the configuration sets is an expectation for every provider', () => {
    expect(() => expectConfigured(generic, 'configuration.yml: identity_providers.oidc.clients[0].consent_mode = explicit', 'consent_mode')).not.toThrow();
  });
  it('a default is an expectation only when the profile names the provider whose default it is', () => {
    expect(() => expectConfigured(authelia, 'Authelia default: consent_mode = auto', 'consent_mode')).not.toThrow();
    expect(thrown(CheckSkipped, () => expectConfigured(generic, 'Authelia default: consent_mode = auto', 'consent_mode of kasm')).message).toMatch(/not set in the configuration/);
  });
  it('a refusal with another error code is a warning unless the provider documents exact codes', () => {
    const def = { id: 'refresh.bound-to-client', title: 't', severity: 'failure' as const, spec: 's' };
    const err = thrown(CheckFailure, () => v.expectRefusal({ status: 400, headers: {}, text: '', json: { error: 'invalid_request' }, exchange: { request: { method: 'POST', url: 'http://x' } } } as never, ['invalid_grant'], { label: 'token', message: 'accepted' }));
    expect(v.outcomeOf(err, def).outcome).toBe('warning');
    expect(v.outcomeOf(err, def, undefined, { exactErrorCodes: true }).outcome).toBe('failed');
    const accepted = thrown(CheckFailure, () => v.expectRefusal({ status: 200, headers: {}, text: '', json: {}, exchange: { request: { method: 'POST', url: 'http://x' } } } as never, ['invalid_grant'], { label: 'token', message: 'accepted' }));
    expect(v.outcomeOf(accepted, def).outcome).toBe('failed');
    // A server error is neither: an error outcome saying so, never "accepted".
    const crashed = thrown(v.ProviderError, () => v.expectRefusal({ status: 500, headers: {}, text: 'internal error', exchange: { request: { method: 'POST', url: 'http://x' } } } as never, ['invalid_client'], { label: 'token (wrong secret)', message: 'the token endpoint accepted a wrong secret' }));
    expect(v.outcomeOf(crashed, def).outcome).toBe('error');
    expect(crashed.detail.message).toBe('token (wrong secret) answered HTTP 500 where a refusal was due (a server error: neither a refusal nor an acceptance)');
  });
  it('rotation: the provider\'s documented behaviour, or a public client (RFC 9700), else no basis', () => {
    const confidential = client('c');
    expect(k.rotationBasis(confidential, authelia.behaviour)).toMatch(/Authelia 4\.39 documented behaviour/);
    expect(k.rotationBasis(confidential, undefined)).toBeUndefined();
    expect(k.rotationBasis({ ...confidential, public: true }, undefined)).toMatch(/RFC 9700 §4\.14\.2/);
  });
});

describe('claim JSON types (OIDC Core §2, §5.1)', () => {
  const userinfoOf = (claims: Record<string, unknown>): cl.TypedClaims => ({ where: 'userinfo', claims, response: raw(200, claims) });
  const idTokenOf = (claims: Record<string, unknown>): cl.TypedClaims => ({ where: 'ID token', claims, response: raw(200, { id_token: 'x.y.z' }) });
  it('each type accepts its JSON type only', () => {
    expect(cl.typeProblem('boolean', true)).toBeUndefined();
    expect(cl.typeProblem('boolean', 'true')).toBe('is string "true", expected a boolean');
    expect(cl.typeProblem('number', 1700000000)).toBeUndefined();
    expect(cl.typeProblem('number', '1700000000')).toMatch(/is string "1700000000", expected a number/);
    expect(cl.typeProblem('string-or-strings', ['a', 'b'])).toBeUndefined();
    expect(cl.typeProblem('string-or-strings', ['a', 1])).toMatch(/expected a string or an array of strings/);
    expect(cl.typeProblem('strings', 'admins')).toBe('is string "admins", expected an array of strings');
    expect(cl.typeProblem('address', { street_address: '1 Main St', country: 'NL' })).toBeUndefined();
    expect(cl.typeProblem('address', '1 Main St, Amsterdam')).toMatch(/expected a JSON object/);
    expect(cl.typeProblem('address', { postal_code: 1011 })).toMatch(/non-string members postal_code/);
  });
  it('userinfo: email_verified as a string, updated_at as a date, address as a string fail, naming §5.1 and the response', () => {
    const err = failure(() => cl.checkUserinfoClaimTypes(userinfoOf({ sub: 's', email_verified: 'true', phone_number_verified: false, updated_at: '2024-01-01T00:00:00Z', address: 'Main St 1' })));
    expect(err.message).toMatch(/^userinfo claims of the wrong JSON type: email_verified is string "true", expected a boolean; updated_at is string "2024-01-01T00:00:00Z", expected a number .*; address is string "Main St 1", expected a JSON object$/);
    expect(err.detail.source).toMatch(/OIDC Core §5\.1/);
    expect(err.detail.evidence?.some((e) => e.label === 'userinfo' && e.http)).toBe(true);
  });
  it('userinfo: non-standard claims are left to their own check', () => {
    expect(() => cl.checkUserinfoClaimTypes(userinfoOf({ sub: 's', groups: 'admins', custom: 1 }))).not.toThrow();
  });
  it('ID token: §2 claims are typed too (aud, exp, amr, sub)', () => {
    const err = failure(() => cl.checkIdTokenClaimTypes(idTokenOf({ iss: 'http://op.test', sub: 42, aud: 7, exp: '1700000000', iat: 1, amr: 'pwd', nonce: 'n' })));
    expect(err.message).toMatch(/sub is number 42, expected a string; aud is number 7, expected a string or an array of strings; exp is string "1700000000", expected a number .*; amr is string "pwd", expected an array of strings/);
    expect(err.detail.source).toMatch(/OIDC Core §2 and §5\.1/);
    expect(() => cl.checkIdTokenClaimTypes(idTokenOf({ iss: 'i', sub: 's', aud: ['a', 'b'], exp: 2, iat: 1, auth_time: 1, email_verified: true }))).not.toThrow();
  });
  it('groups as one string is a (warning-level) failure naming where it was seen', () => {
    const err = failure(() => cl.checkNonStandardClaimTypes([idTokenOf({ sub: 's' }), userinfoOf({ sub: 's', groups: 'admins,dev', alt_emails: ['a@example.com'] })]));
    expect(err.message).toMatch(/non-standard list claims not sent as arrays of strings: userinfo: groups is string "admins,dev", expected an array of strings$/);
    expect(cl.claimsChecks.typesNonStandard.severity).toBe('warning');
  });
});

describe('ID token JOSE header', () => {
  async function withHeader(header: Record<string, unknown>, crit?: Record<string, boolean>): Promise<t.IdTokenInput> {
    const { privateKey } = await jose.generateKeyPair('RS256');
    const idToken = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header }).sign(privateKey, crit ? { crit } : undefined);
    return { client: basic, issuer: 'http://op.test', response: raw(200, {}), idToken, nonce: 'n', jwks: good, skew: 5, startedAt: 0, authTimeRequired: true };
  }
  it('typ: absent or JWT in any case passes; ID+JWT and application/jwt fail, naming openidconnect-rs and Proxmox', async () => {
    t.checkTyp(await withHeader({}));
    t.checkTyp(await withHeader({ typ: 'jwt' }));
    const i = await withHeader({ typ: 'ID+JWT' });
    const err = failure(() => t.checkTyp(i));
    expect(err.message).toMatch(/typ "ID\+JWT": the Rust openidconnect crate rejects it .*Proxmox VE/);
    expect(err.detail.source).toMatch(/RFC 7519 §5\.1.*openidconnect-rs/);
    expect(err.detail.evidence?.[0]?.label).toBe('ID token header and claims');
    const j = await withHeader({ typ: 'application/jwt' });
    expect(failure(() => t.checkTyp(j)).detail.observed).toBe('application/jwt');
    expect(t.idTokenChecks.typ.severity).toBe('warning');
  });
  it('crit: absent passes; an unknown extension fails (RFC 7515 §4.1.11)', async () => {
    t.checkCrit(await withHeader({}));
    const i = await withHeader({ crit: ['urn:x'], 'urn:x': 1 }, { 'urn:x': true });
    const err = failure(() => t.checkCrit(i));
    expect(err.message).toMatch(/marks "urn:x" critical: a relying party MUST reject/);
    expect(err.detail.source).toMatch(/RFC 7515 §4\.1\.11/);
  });
  it('signature: a critical extension does not make the signature check fail (crit has its own check)', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', use: 'sig' } as d.Jwks['keys'][number];
    const idToken = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'RS256', kid: 'k1', crit: ['urn:x'], 'urn:x': 1 }).sign(privateKey, { crit: { 'urn:x': true } });
    await t.checkSignature({ client: basic, issuer: 'http://op.test', response: raw(200, {}), idToken, nonce: 'n', jwks: { keys: [jwk] }, skew: 5, startedAt: 0, authTimeRequired: true });
  });
  it('cty: JWT is a nested token; any other cty fails too', async () => {
    const nested = await withHeader({ cty: 'JWT' });
    expect(failure(() => t.checkCty(nested)).message).toMatch(/cty "JWT" says the payload is a nested JWT/);
    const other = await withHeader({ cty: 'application/json' });
    expect(failure(() => t.checkCty(other)).message).toMatch(/cty "application\/json": the payload of an ID token is a JSON claims set/);
    t.checkCty(await withHeader({}));
  });
});

describe('nonce, state and iss on every session path', () => {
  const sign = async (claims: jose.JWTPayload) => new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign((await jose.generateKeyPair('RS256')).privateKey);
  it('nonce: the nonce of an earlier authorization is named as such; a missing one too', async () => {
    const obs = [
      { path: 'fresh login', nonceSent: 'n1', idToken: await sign({ nonce: 'n1' }), tokenRes: raw(200, {}) },
      { path: 'session reuse 1', nonceSent: 'n2', idToken: await sign({ nonce: 'n2' }), tokenRes: raw(200, {}) },
      { path: 'session reuse 2', nonceSent: 'n3', idToken: await sign({ nonce: 'n2' }), tokenRes: raw(200, {}) },
      { path: 'after remembered consent', nonceSent: 'n4', idToken: await sign({}), tokenRes: raw(200, {}) },
    ];
    const err = failure(() => t.checkNonceAcrossPaths(obs));
    expect(err.message).toBe('ID token nonce wrong on session reuse 2 (carries the nonce of the earlier "session reuse 1" authorization), after remembered consent (no nonce)');
    expect(err.detail.source).toMatch(/§3\.1\.3\.7 \(11\)/);
    expect(err.detail.evidence?.filter((e) => e.http).map((e) => e.label)).toEqual(['token (session reuse 2)', 'token (after remembered consent)']);
    expect(t.checkNonceAcrossPaths(obs.slice(0, 2))[0]?.data).toHaveLength(2);
  });
  const cb = (path: string, sent: string, q: string) => ({ path, callback: { url: new URL(`http://127.0.0.1:1/cb?code=c&${q}`), state: sent, issuer: 'http://op.test' } });
  it('state: an earlier authorization\'s state is named; a missing one fails', () => {
    const err = failure(() => f.checkStateAcrossPaths([cb('fresh login', 's1', 'state=s1'), cb('session reuse 1', 's2', 'state=s1'), cb('session reuse 2', 's3', '')]));
    expect(err.message).toBe('state wrong on session reuse 1 (carries the state of the earlier "fresh login" authorization), session reuse 2 (no state)');
    expect(err.detail.source).toMatch(/RFC 6749 §4\.1\.2/);
  });
  it('iss: required on every path when advertised; optional otherwise, but then the issuer when sent', () => {
    const paths = [cb('fresh login', 's1', 'state=s1&iss=http://op.test'), cb('session reuse 1', 's2', 'state=s2')];
    expect(failure(() => f.checkIssAcrossPaths(paths, true)).message).toBe('iss wrong on session reuse 1 (no iss) although authorization_response_iss_parameter_supported is true');
    expect(() => f.checkIssAcrossPaths(paths, false)).not.toThrow();
    expect(failure(() => f.checkIssAcrossPaths([cb('session reuse 1', 's2', 'state=s2&iss=http://evil')], false)).message).toMatch(/session reuse 1 \(iss differs\)/);
  });
});

describe('token endpoint family error responses', () => {
  const sample = (res: RawResponse, basicAuth = true, what = 'wrong secret, Basic', endpoint: te.ErrorEndpoint = 'token'): te.ErrorSample => ({ endpoint, what, basicAuth, res });
  it('a JSON error served as text/plain, a non-JSON body or a non-string error fails, naming each endpoint\'s RFC', () => {
    const plain = raw(401, { error: 'invalid_client' }, { 'content-type': 'text/plain; charset=utf-8' });
    expect(te.errorFormatProblems(plain)).toEqual(['Content-Type "text/plain; charset=utf-8", not application/json']);
    expect(te.errorFormatProblems(raw(400, 'error=invalid_grant', { 'content-type': 'application/x-www-form-urlencoded' }))).toEqual(['Content-Type "application/x-www-form-urlencoded", not application/json', 'the body is not a JSON object']);
    expect(te.errorFormatProblems(raw(400, { error: 400 }))).toEqual(['error is 400, not a string']);
    const err = failure(() => te.checkErrorFormat([sample(plain), sample(raw(400, { error: 1 }), false, 'no token parameter', 'revocation')]));
    expect(err.message).toMatch(/^error responses not served as JSON: token \(wrong secret, Basic\): Content-Type "text\/plain; charset=utf-8", not application\/json; revocation \(no token parameter\): error is 1, not a string\. .*golang\.org\/x\/oauth2/);
    expect(err.detail.source).toMatch(/RFC 6749 §5\.2; RFC 7009 §2\.2\.1/);
    expect(err.detail.evidence?.filter((e) => e.http).map((e) => e.label)).toEqual(['token (wrong secret, Basic)', 'revocation (no token parameter)']);
  });
  it('only error answers are judged; none at all is a skip', () => {
    expect(te.checkErrorFormat([sample(raw(401, { error: 'invalid_client' })), sample(raw(200, undefined, { 'content-type': 'text/plain' }), true, 'unsupported token_type_hint', 'revocation')])).toHaveLength(2);
    expect(() => te.checkErrorFormat([sample(raw(200, {}))])).toThrow(CheckSkipped);
  });
  it('WWW-Authenticate: invalid_client after Basic must be a 401 with a Basic challenge', () => {
    const err = failure(() => te.checkWwwAuthenticate([
      sample(raw(400, { error: 'invalid_client' })),
      sample(raw(401, { error: 'invalid_client' }, { 'www-authenticate': 'Bearer realm="x"' }), true, 'wrong secret, Basic', 'introspection'),
      sample(raw(401, { error: 'invalid_client' }), false, 'wrong secret, in the body'),
    ]));
    expect(err.message).toBe('invalid_client after Basic authentication: token (wrong secret, Basic): HTTP 400, not 401, no WWW-Authenticate; introspection (wrong secret, Basic): WWW-Authenticate "Bearer realm=\\"x\\"" does not name the Basic scheme');
    expect(err.detail.source).toMatch(/RFC 6749 §5\.2: .*MUST respond with HTTP 401/);
    expect(te.checkWwwAuthenticate([sample(raw(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="op", error="invalid_client"' }))])).toHaveLength(1);
    expect(() => te.checkWwwAuthenticate([sample(raw(401, { error: 'invalid_client' }), false)])).toThrow(CheckSkipped);
  });
  it('credentials in the Basic header and the body at once: accepted fails, invalid_request or invalid_client passes', () => {
    expect(failure(() => f.checkSingleAuthMethod(raw(200, { access_token: 'a' }), basic)).message).toMatch(/accepted basic authenticating with client_secret_basic and client_secret_post in the same request/);
    f.checkSingleAuthMethod(raw(400, { error: 'invalid_request' }), basic);
    f.checkSingleAuthMethod(raw(401, { error: 'invalid_client' }), basic);
    expect(failure(() => f.checkSingleAuthMethod(raw(400, { error: 'invalid_grant' }), basic)).message).toMatch(/refused as expected, but with invalid_grant/);
  });
});

describe('concurrency', () => {
  it('passes with counts per step; fails on a 5xx or a request with no answer', () => {
    expect(cc.checkBurst([{ step: 'token', response: raw(200, {}) }])[0]!.data).toMatchObject({ token: '1/1 answered without a server error' });
    expect(failure(() => cc.checkBurst([{ step: 'token', response: raw(500, undefined) }, { step: 'userinfo', error: 'socket hang up' }])).message).toMatch(/2 of 2 requests sent 10 at a time got a server error or no answer \(token: HTTP 500; userinfo: socket hang up\)/);
  });
});

describe('endpoints named in the profile', () => {
  it('fill in what discovery leaves out, never override it', () => {
    const meta = d.withProfileEndpoints({ token_endpoint: 'http://op/token', revocation_endpoint: 'http://op/revoke' }, { introspection_endpoint: 'http://op/introspect', revocation_endpoint: 'http://elsewhere/revoke' });
    expect(meta).toMatchObject({ introspection_endpoint: 'http://op/introspect', revocation_endpoint: 'http://op/revoke' });
  });
  it('no introspection or revocation endpoint anywhere is one finding naming both', () => {
    expect(failure(() => d.checkTokenEndpoints({}, raw(200, {}))).message).toMatch(/introspection_endpoint and revocation_endpoint neither advertised nor named in the profile/);
    expect(() => d.checkTokenEndpoints({ introspection_endpoint: 'a', revocation_endpoint: 'b' }, raw(200, {}))).not.toThrow();
  });
});

describe('--full', () => {
  it('a lifespan is watched when the run waits that long; the skip says how to watch a longer one', () => {
    const life = { seconds: 60, source: 'configuration.yml: lifespans.authorize_code = 1m' };
    expect(thrown(CheckSkipped, () => lf.expectWatchable('authorize_code', life, false)).message).toMatch(/run with --full/);
    expect(lf.expectWatchable('authorize_code', life, true)).toBe(60);
    expect(thrown(CheckSkipped, () => lf.expectWatchable('access_token', { ...life, seconds: 3600 }, true)).message).toMatch(/longer than --full waits \(300 s\)/);
  });
  it('parallel refreshes: more than one success with a single-use token fails', () => {
    k.checkParallelRefresh([raw(200, {}), raw(400, { error: 'invalid_grant' })], 's');
    expect(failure(() => k.checkParallelRefresh([raw(200, {}), raw(200, {})], 's')).message).toMatch(/2 of 2 refreshes sent at once with one refresh token succeeded/);
  });
});

describe('relying-party library refusals', () => {
  it("say which claim openid-client refused and what it expected, from oauth4webapi's error (the cause)", () => {
    const inner = Object.assign(new Error('unexpected JWT "aud" (audience) claim value'), { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', cause: { claim: 'aud', expected: 'kasm', claims: { aud: 'someone-else', sub: 'x' } } });
    const outer = Object.assign(new Error('unexpected JWT claim value encountered', { cause: inner }), { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' });
    const err = thrown(CheckFailure, () => rp.libraryRefused('code exchange', outer, []));
    expect(err.detail.message).toBe('openid-client refused the code exchange: unexpected JWT claim value encountered: unexpected JWT "aud" (audience) claim value (expected "kasm", got "someone-else")');
    expect(err.detail.observed).toMatchObject({ claim: 'aud', expected: 'kasm', value: 'someone-else', cause: 'unexpected JWT "aud" (audience) claim value' });
  });
});
