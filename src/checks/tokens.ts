// Userinfo, refresh, introspection and revocation checks (OIDC Core §5.3, RFC 6749 §6,
// RFC 7662, RFC 7009, RFC 6750).

import * as jose from 'jose';
import type { CheckDef } from '../model/check.ts';
import type { ClientSpec } from '../model/target.ts';
import type { ProviderBehaviour } from '../model/behaviour.ts';
import type { RawResponse } from '../http/exchange.ts';
import { describeResponse, expectJson200, expectRefusal, fail, http, oauthError, skip } from './verdict.ts';

export const userinfoChecks = {
  get: { id: 'userinfo.get', title: 'GET with a bearer token answers the claims', severity: 'failure', spec: 'OIDC Core §5.3.1' },
  post: { id: 'userinfo.post', title: 'POST with a bearer token answers the claims', severity: 'failure', spec: 'OIDC Core §5.3.1' },
  sub: { id: 'userinfo.sub-matches', title: 'sub equals the ID token\'s', severity: 'failure', spec: 'OIDC Core §5.3.2' },
  invalid: { id: 'userinfo.invalid-token', title: 'an invalid token gets 401 with WWW-Authenticate', severity: 'failure', spec: 'RFC 6750 §3.1' },
} satisfies Record<string, CheckDef>;

export const refreshChecks = {
  issued: { id: 'refresh.issued-as-configured', title: 'a refresh token only for clients allowed the grant', severity: 'failure', spec: 'RFC 6749 §1.5; OIDC Core §11' },
  works: { id: 'refresh.grant', title: 'the refresh grant returns a new access token', severity: 'failure', spec: 'RFC 6749 §6' },
  refused: { id: 'refresh.refused-without-grant', title: 'a client not allowed refresh_token is refused the grant', severity: 'failure', spec: 'RFC 6749 §5.2 (unauthorized_client)' },
  bound: { id: 'refresh.bound-to-client', title: 'a refresh token is refused to another client', severity: 'failure', spec: 'RFC 6749 §6' },
  parallel: { id: 'refresh.parallel-single-use', title: 'of parallel refreshes with one refresh token, at most one succeeds', severity: 'failure', spec: 'RFC 9700 §4.14.2 (replay detection); the provider\'s documented single-use refresh tokens' },
  rotation: { id: 'refresh.rotation', title: 'refresh tokens rotate and the used one is refused', severity: 'failure', spec: 'RFC 9700 §4.14.2 (public clients); the provider\'s documented single-use refresh tokens' },
} satisfies Record<string, CheckDef>;

export const introspectionChecks = {
  active: { id: 'introspection.active', title: 'an active access token introspects as active with its claims', severity: 'failure', spec: 'RFC 7662 §2.2' },
  identifies: { id: 'introspection.identifies-token', title: 'an active token\'s introspection names its client_id and sub', severity: 'warning', spec: 'RFC 7662 §2.2 (client_id and sub OPTIONAL; resource servers need them)' },
  revoked: { id: 'introspection.revoked-inactive', title: 'a revoked token introspects as inactive', severity: 'failure', spec: 'RFC 7662 §2.2; RFC 7009 §2' },
  auth: { id: 'introspection.client-auth-required', title: 'introspection without client authentication is refused', severity: 'failure', spec: 'RFC 7662 §2.1' },
} satisfies Record<string, CheckDef>;

export const revocationChecks = {
  access: { id: 'revocation.access-token', title: 'a revoked access token is refused at userinfo', severity: 'failure', spec: 'RFC 7009 §2.1' },
  refresh: { id: 'revocation.refresh-token', title: 'a revoked refresh token is refused at the token endpoint', severity: 'failure', spec: 'RFC 7009 §2.1' },
} satisfies Record<string, CheckDef>;

/** Userinfo claims, plain JSON or (when the client asks for signed userinfo) a JWT. */
export function checkUserinfo(res: RawResponse, client: ClientSpec, how: 'GET' | 'POST'): Record<string, unknown> {
  const type = res.headers['content-type'] ?? '';
  if (res.status === 200 && type.startsWith('application/jwt')) {
    if (client.userinfoSignedResponseAlg === 'none') {
      fail({ message: 'userinfo answered a JWT but the client is configured for plain JSON', ...(client.sources.userinfoSignedResponseAlg ? { source: client.sources.userinfoSignedResponseAlg } : {}), expected: 'application/json', observed: type, evidence: http(`userinfo ${how}`, res) });
    }
    return jose.decodeJwt(res.text.trim()) as Record<string, unknown>;
  }
  const claims = expectJson200(res, { message: `userinfo ${how} with a valid bearer token failed`, source: 'OIDC Core §5.3.1', label: `userinfo ${how}` });
  if (typeof claims.sub !== 'string') fail({ message: 'userinfo has no sub', source: 'OIDC Core §5.3.2: sub MUST always be returned', expected: 'sub', observed: Object.keys(claims), evidence: http(`userinfo ${how}`, res) });
  return claims;
}

export function checkUserinfoSub(userinfoSub: unknown, idTokenSub: unknown, res: RawResponse): void {
  if (userinfoSub === idTokenSub) return;
  fail({ message: 'userinfo sub differs from the ID token sub', source: 'OIDC Core §5.3.2: the sub MUST exactly match', expected: idTokenSub, observed: userinfoSub, evidence: http('userinfo', res) });
}

export function checkInvalidTokenRefused(res: RawResponse): void {
  const www = res.headers['www-authenticate'] ?? '';
  if (res.status === 401 && /^bearer\b/i.test(www) && /invalid_token/.test(www)) return;
  fail({
    message: res.status !== 401 ? `userinfo answered ${describeResponse(res)} to an invalid token` : 'the 401 lacks WWW-Authenticate: Bearer error="invalid_token"',
    source: 'RFC 6750 §3, §3.1',
    expected: 'HTTP 401, WWW-Authenticate: Bearer error="invalid_token"',
    observed: { status: res.status, 'www-authenticate': www || '(absent)' },
    evidence: http('userinfo (invalid token)', res),
  });
}

export function refreshAllowed(client: ClientSpec): boolean {
  return client.grantTypes.includes('refresh_token');
}

export function checkRefreshIssued(tokens: { refresh_token?: string }, client: ClientSpec, scope: string, res: RawResponse): void {
  const allowed = refreshAllowed(client);
  const asked = scope.split(' ').includes('offline_access');
  const source = client.sources.grantTypes ?? `grant_types = ${client.grantTypes.join(', ')}`;
  if (allowed && asked && !tokens.refresh_token) {
    fail({ message: `no refresh token for ${client.id}, which is allowed the refresh_token grant and asked for offline_access`, source, expected: 'refresh_token', observed: '(absent)', evidence: http('token', res) });
  }
  if (!allowed && tokens.refresh_token) {
    fail({ message: `a refresh token was issued to ${client.id}, which is not allowed the refresh_token grant`, source, expected: 'no refresh_token', observed: 'refresh_token present', evidence: http('token', res) });
  }
}

export function checkRefreshWorks(res: RawResponse, client: ClientSpec): Record<string, unknown> {
  const json = expectJson200(res, { message: `the refresh grant failed for ${client.id}`, source: client.sources.grantTypes ?? 'RFC 6749 §6', label: 'token (refresh)' });
  if (typeof json.access_token !== 'string') fail({ message: 'the refresh response has no access_token', expected: 'access_token', observed: Object.keys(json), evidence: http('token (refresh)', res) });
  return json;
}

/** A client without the grant presents the refresh token the provider issued it anyway: only
 *  the grant restriction can refuse it, so any refusal passes and acceptance fails. */
export function checkOwnRefreshRefused(res: RawResponse, client: ClientSpec): void {
  expectRefusal(res, [], {
    label: `token (refresh by ${client.id} with its own refresh token)`,
    message: `${client.id} used the refresh grant with the refresh token it was issued, although it is not allowed refresh_token`,
    source: client.sources.grantTypes ?? `grant_types = ${client.grantTypes.join(', ')}`,
  });
}

/** A client without the grant presents a refresh token that is not its own (`presented`: whose,
 *  or a made-up one). The binding refuses that too, so only unauthorized_client (RFC 6749 §5.2)
 *  shows the grant restriction at work; any other refusal is "cannot tell". */
export function checkRefreshRefused(res: RawResponse, client: ClientSpec, presented = 'a refresh token not its own'): void {
  const source = client.sources.grantTypes ?? `grant_types = ${client.grantTypes.join(', ')}`;
  const code = oauthError(res);
  if (res.status >= 400 && res.status < 500 && code === 'unauthorized_client') return;
  if (res.status === 200) {
    fail({ message: `${client.id} used the refresh grant (with ${presented}) although it is not allowed refresh_token`, source, expected: 'HTTP 400 unauthorized_client', observed: describeResponse(res), evidence: http('token (refresh by a client without the grant)', res) });
  }
  const description = (res.json as { error_description?: unknown } | undefined)?.error_description;
  skip(`cannot tell whether the grant restriction or the binding refused it: ${client.id} presented ${presented} and got ${describeResponse(res)}${typeof description === 'string' ? ` (${description})` : ''}, not unauthorized_client; POST ${res.exchange.request.url} grant_type=refresh_token`);
}

export function checkRefreshBound(res: RawResponse, owner: ClientSpec, other: ClientSpec): void {
  expectRefusal(res, ['invalid_grant', 'unauthorized_client', 'invalid_client'], { label: `token (refresh by ${other.id})`, message: `a refresh token of ${owner.id} was accepted from ${other.id}`, source: 'RFC 6749 §6: the refresh token is bound to the client' });
}

/** The basis of refresh.rotation: the profile's provider documents single-use refresh tokens, or
 *  the client is public (RFC 9700 §4.14.2: replay detection MUST be used for public clients, and
 *  rotation is the one a client without sender-constraining can see); else it does not apply. */
export function rotationBasis(client: ClientSpec, behaviour: ProviderBehaviour | undefined): string | undefined {
  if (behaviour?.refreshRotation) return `${behaviour.label}: refresh tokens are single use and rotate`;
  if (client.public) return `RFC 9700 §4.14.2: refresh tokens of public clients MUST be sender-constrained or rotated (${client.id} is public)`;
  return undefined;
}

export function checkRotation(first: Record<string, unknown>, usedToken: string, reuse: RawResponse, refreshRes: RawResponse, source: string): void {
  if (typeof first.refresh_token !== 'string' || first.refresh_token === usedToken) {
    fail({ message: 'the refresh response did not rotate the refresh token', source, expected: 'a new refresh_token', observed: typeof first.refresh_token === 'string' ? 'the same refresh_token' : '(absent)', evidence: http('token (refresh)', refreshRes) });
  }
  expectRefusal(reuse, ['invalid_grant'], { label: 'token (refresh with the used token)', message: 'a used refresh token was accepted again', source, evidence: http('token (refresh)', refreshRes) });
}

export function checkIntrospectionActive(res: RawResponse, client: ClientSpec, expectedSub: unknown): void {
  const json = expectJson200(res, { message: 'introspection of an active access token failed', source: 'RFC 7662 §2.2', label: 'introspection' });
  const problems: string[] = [];
  if (json.active !== true) problems.push(`active is ${JSON.stringify(json.active)}`);
  if (json.client_id !== undefined && json.client_id !== client.id) problems.push(`client_id ${JSON.stringify(json.client_id)} is not ${client.id}`);
  if (json.sub !== undefined && json.sub !== expectedSub) problems.push(`sub ${JSON.stringify(json.sub)} is not the ID token's`);
  if (json.exp !== undefined && (typeof json.exp !== 'number' || json.exp * 1000 < Date.now())) problems.push(`exp ${JSON.stringify(json.exp)} is not in the future`);
  if (problems.length) fail({ message: `introspection: ${problems.join('; ')}`, source: 'RFC 7662 §2.2', expected: { active: true, client_id: client.id, sub: expectedSub }, observed: json, evidence: http('introspection', res) });
}

/** client_id and sub are OPTIONAL (RFC 7662 §2.2), but a resource server cannot tell whose token
 *  it holds without them: their absence is a warning (wrong values fail introspection.active). */
export function checkIntrospectionIdentifies(res: RawResponse, client: ClientSpec, expectedSub: unknown): void {
  const json = expectJson200(res, { message: 'introspection of an active access token failed', source: 'RFC 7662 §2.2', label: 'introspection' });
  if (json.active !== true) skip(`the token does not introspect as active (active ${JSON.stringify(json.active)}; introspection.active reports it), so there is nothing to identify`);
  const absent = (['client_id', 'sub'] as const).filter((k) => json[k] === undefined);
  if (absent.length === 0) return;
  fail({ message: `introspection of an active token has no ${absent.join(' and no ')}: a resource server cannot tell which client and user it belongs to`, source: 'RFC 7662 §2.2: client_id and sub OPTIONAL', expected: { client_id: client.id, sub: expectedSub }, observed: Object.fromEntries(absent.map((k) => [k, '(absent)'])), evidence: http('introspection', res) });
}

export function checkIntrospectionInactive(res: RawResponse, revocation: RawResponse): void {
  const json = expectJson200(res, { message: 'introspection of a revoked token failed', source: 'RFC 7662 §2.2', label: 'introspection' });
  if (json.active === false) return;
  fail({ message: 'a revoked access token still introspects as active', source: 'RFC 7009 §2; RFC 7662 §2.2', expected: { active: false }, observed: { active: json.active }, evidence: [...http('revocation', revocation), ...http('introspection', res)] });
}

export function checkIntrospectionNeedsAuth(res: RawResponse): void {
  const json = res.json as { active?: unknown } | undefined;
  if (res.status === 200 && json?.active === true) {
    fail({ message: 'introspection answered active:true without client authentication', source: 'RFC 7662 §2.1: the endpoint MUST require authorization', expected: 'HTTP 401 invalid_client', observed: describeResponse(res), evidence: http('introspection (no client auth)', res) });
  }
  expectRefusal(res, [], { label: 'introspection (no client auth)', message: 'introspection without client authentication was not refused', source: 'RFC 7662 §2.1' });
}

export function checkRevocationAnswer(res: RawResponse): void {
  if (res.status === 200) return;
  fail({ message: `revocation answered ${describeResponse(res)}`, source: 'RFC 7009 §2.2: 200 on success', expected: 'HTTP 200', observed: describeResponse(res), evidence: http('revocation', res) });
}

export function checkRevokedAccessRefused(after: RawResponse, revocation: RawResponse): void {
  if (after.status === 401) return;
  fail({ message: `userinfo still accepts a revoked access token (${describeResponse(after)})`, source: 'RFC 7009 §2.1', expected: 'HTTP 401', observed: describeResponse(after), evidence: [...http('revocation', revocation), ...http('userinfo after revocation', after)] });
}

export function checkRevokedRefreshRefused(after: RawResponse, revocation: RawResponse): void {
  expectRefusal(after, ['invalid_grant'], { label: 'token (refresh after revocation)', message: 'a revoked refresh token was accepted', source: 'RFC 7009 §2.1', evidence: http('revocation', revocation) });
}

/** Refresh requests sent at once with the same refresh token (--full). */
export const PARALLEL_REFRESHES = 4;

/** Of refreshes sent at once with one single-use refresh token, at most one may succeed. */
export function checkParallelRefresh(responses: RawResponse[], source: string): void {
  const ok = responses.filter((r) => r.status === 200);
  if (ok.length <= 1) return;
  fail({ message: `${ok.length} of ${responses.length} refreshes sent at once with one refresh token succeeded`, source, expected: 'at most one HTTP 200', observed: responses.map(describeResponse), evidence: ok.slice(0, 2).map((r, i) => ({ label: `token (refresh ${i + 1})`, http: r.exchange })) });
}
