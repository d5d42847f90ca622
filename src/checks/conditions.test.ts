// Conditions fed recorded (stubbed) wrong provider behaviour: each must fail with a message that
// names what is wrong. Faults reproduced on a live provider are in test/faults.test.ts.

import { describe, expect, it } from 'vitest';
import * as jose from 'jose';
import type { RawResponse } from '../http/exchange.ts';
import { CheckFailure, CheckSkipped } from './verdict.ts';
import * as d from './discovery.ts';
import * as f from './code-flow.ts';
import * as t from './id-token.ts';
import * as k from './tokens.ts';
import * as l from './login.ts';
import * as cl from './claims.ts';
import * as cors from './cors.ts';
import * as cu from './client-rules.ts';
import * as rd from './redirect-uri.ts';
import { client, testProfile } from '../../test/profile-fixture.ts';
import { thrown } from '../../test/thrown.ts';
import { formPostCallback, formPostResponse } from '../protocol/form-post.ts';
import { isErrorPage, pageKind } from '../protocol/forms.ts';

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
    expect(failure(() => l.checkDenied(new URL('http://127.0.0.1:1/cb?code=c&state=s'), 's')).message).toMatch(/denying consent gave a code/);
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

describe('CORS expectations from the configuration', () => {
  const base = profile.provider;
  const withCors = (cors: Partial<typeof base.cors>) => ({ ...base, cors: { ...base.cors, ...cors }, sources: { 'cors.endpoints': 'configuration.yml: cors.endpoints = token', 'cors.allowedOrigins': 'configuration.yml: cors.allowed_origins' } });
  const clients = [client('a', { redirectUris: ['https://rp.example.com/cb', 'http://localhost:8080/cb'] })];
  it('discovery and JWKS answer * to any origin, nothing without an Origin', () => {
    expect(cors.expectedCors('jwks', 'http://x.example', base, clients).allowOrigin).toBe('*');
    expect(cors.expectedCors('discovery', undefined, base, clients).allowOrigin).toBeNull();
  });
  it('an endpoint not listed in cors.endpoints answers no CORS, naming the key', () => {
    const e = cors.expectedCors('userinfo', 'https://app.example.com', withCors({ endpoints: ['token'], allowedOrigins: ['https://app.example.com'] }), clients);
    expect(e.allowOrigin).toBeNull();
    expect(e.source).toMatch(/cors\.endpoints = token \(does not list userinfo\)/);
  });
  it('listed: allowed origins echoed with credentials for token; others absent; no list means any https', () => {
    const p = withCors({ endpoints: ['token', 'revocation'], allowedOrigins: ['https://app.example.com'] });
    expect(cors.expectedCors('token', 'https://app.example.com', p, clients)).toMatchObject({ allowOrigin: 'https://app.example.com', credentials: true });
    expect(cors.expectedCors('revocation', 'https://app.example.com', p, clients)).toMatchObject({ credentials: false });
    expect(cors.expectedCors('token', 'https://evil.example.net', p, clients).allowOrigin).toBeNull();
    const open = withCors({ endpoints: ['token'], allowedOrigins: [] });
    expect(cors.expectedCors('token', 'https://any.example', open, clients).allowOrigin).toBe('https://any.example');
    expect(cors.expectedCors('token', 'http://any.example', open, clients).allowOrigin).toBeNull();
  });
  it('origins from redirect URIs exclude localhost; * stands alone', () => {
    const p = withCors({ endpoints: ['token'], allowedOriginsFromClientRedirectUris: true });
    expect(cors.expectedCors('token', 'https://rp.example.com', p, clients).allowOrigin).toBe('https://rp.example.com');
    expect(cors.expectedCors('token', 'http://localhost:8080', p, clients).allowOrigin).toBeNull();
    expect(cors.expectedCors('token', 'http://x.example', withCors({ endpoints: ['token'], allowedOrigins: ['*'] }), clients)).toMatchObject({ allowOrigin: '*', credentials: false });
  });
  it('an answer missing Vary, credentials, or the asked method and headers fails', () => {
    const e = { allowOrigin: 'https://app.example.com', credentials: true, source: 's' };
    const probe = (headers: Record<string, string>) => ({ kind: 'preflight' as const, originKind: 'allowed' as const, origin: 'https://app.example.com', method: 'POST', headers: ['content-type'], response: raw(204, undefined, headers) });
    expect(cors.probeProblems(probe({ 'access-control-allow-origin': 'https://app.example.com' }), e)).toEqual([
      'Access-Control-Allow-Credentials missing',
      'Vary lacks Origin although the answer depends on it',
      'Access-Control-Allow-Methods "" lacks POST',
      'Access-Control-Allow-Headers lacks content-type',
    ]);
    expect(() => cors.checkCors('token', [probe({ 'access-control-allow-origin': '*' })], withCors({ endpoints: ['token'], allowedOrigins: ['https://app.example.com'] }), clients)).toThrow(/token endpoint: preflight from allowed origin: Access-Control-Allow-Origin "\*", expected "https:\/\/app.example.com"/);
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
