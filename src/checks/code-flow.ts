// Authorization code flow, PKCE and code reuse checks (RFC 6749, RFC 7636, OIDC Core §3.1).

import type { CheckDef, Evidence } from '../model/check.ts';
import type { ClientSpec, ProviderSpec } from '../model/target.ts';
import type { RawResponse } from '../http/exchange.ts';
import { describeResponse, expectNoServerError, expectRefusal, fail, http, skip } from './verdict.ts';

export const codeFlowChecks = {
  exchange: { id: 'code.exchange', title: 'code redeemed with the configured token_endpoint_auth_method', severity: 'failure', spec: 'RFC 6749 §4.1.3; OIDC Core §3.1.3.3' },
  otherMethod: { id: 'code.other-auth-method-rejected', title: 'the other client authentication method is refused', severity: 'failure', spec: 'RFC 6749 §2.3; OIDC Core §9' },
  wrongSecret: { id: 'code.wrong-secret-rejected', title: 'a wrong client secret is refused', severity: 'failure', spec: 'RFC 6749 §5.2 (invalid_client)' },
  state: { id: 'code.state-echoed', title: 'state echoed in the authorization response', severity: 'failure', spec: 'RFC 6749 §4.1.2' },
  iss: { id: 'code.iss-parameter', title: 'iss in the authorization response equals the issuer', severity: 'failure', spec: 'RFC 9207 §2' },
  redirectMismatch: { id: 'code.redirect-uri-bound', title: 'a code is refused with another redirect_uri', severity: 'failure', spec: 'RFC 6749 §4.1.3' },
  reuse: { id: 'code.reuse-rejected', title: 'a code is refused the second time', severity: 'failure', spec: 'RFC 6749 §4.1.2; OIDC Core §3.1.3.2' },
  reuseRevokes: { id: 'code.reuse-revokes-tokens', title: 'tokens of the first exchange are revoked after reuse', severity: 'warning', spec: 'RFC 6749 §4.1.2 (SHOULD)' },
  stateSessionReuse: { id: 'code.state-session-reuse', title: 'state is this request\'s on a fresh login, on session reuse and after remembered consent', severity: 'failure', spec: 'RFC 6749 §4.1.2' },
  issSessionReuse: { id: 'code.iss-session-reuse', title: 'iss is the issuer on a fresh login, on session reuse and after remembered consent', severity: 'failure', spec: 'RFC 9207 §2' },
  singleAuthMethod: { id: 'code.single-auth-method', title: 'a token request carrying client credentials both in the Basic header and in the body is refused', severity: 'failure', spec: 'RFC 6749 §2.3.1, §5.2' },
} satisfies Record<string, CheckDef>;

export const pkceChecks = {
  s256: { id: 'pkce.s256-accepted', title: 'an S256 challenge with its verifier is accepted', severity: 'failure', spec: 'RFC 7636 §4' },
  required: { id: 'pkce.required', title: 'an authorization without a challenge is refused where PKCE is required', severity: 'failure', spec: 'RFC 7636 §4.4.1' },
  wrongVerifier: { id: 'pkce.wrong-verifier', title: 'a wrong code_verifier is refused with invalid_grant', severity: 'failure', spec: 'RFC 7636 §4.6' },
  plain: { id: 'pkce.plain-method', title: 'plain challenges follow enable_pkce_plain_challenge', severity: 'failure', spec: 'RFC 7636 §4.2' },
} satisfies Record<string, CheckDef>;

export interface TokenSet {
  access_token: string;
  token_type: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
}

/** The authorization response: where the provider sent the browser. */
export interface Callback {
  url: URL;
  state: string;
  issuer: string;
}

export function codeOf(callback: Callback): string {
  const code = callback.url.searchParams.get('code');
  if (code) return code;
  const error = callback.url.searchParams.get('error');
  return fail({
    message: error ? `the authorization was refused: ${error}${callback.url.searchParams.get('error_description') ? ` (${callback.url.searchParams.get('error_description')})` : ''}` : 'no code in the authorization response',
    expected: 'code',
    observed: [...callback.url.searchParams.keys()],
    evidence: [{ label: 'authorization response', data: { redirect: `${callback.url.origin}${callback.url.pathname}`, params: [...callback.url.searchParams.keys()] } }],
  });
}

export function checkTokenResponse(res: RawResponse, client: ClientSpec): TokenSet {
  const json = res.json as Partial<Record<keyof TokenSet, unknown>> | undefined;
  const source = client.sources.tokenEndpointAuthMethod;
  // A server error is no refusal of the client's authentication: an error outcome, with the answer.
  expectNoServerError(res, 'token');
  if (res.status !== 200 || !json) {
    fail({ message: `the token endpoint refused ${client.id} authenticating with ${client.tokenEndpointAuthMethod}`, ...(source ? { source } : {}), expected: 'HTTP 200 with tokens', observed: describeResponse(res), evidence: http('token', res) });
  }
  const problems: string[] = [];
  if (typeof json.access_token !== 'string' || !json.access_token) problems.push('access_token missing');
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer') problems.push(`token_type ${JSON.stringify(json.token_type)} is not Bearer`);
  if (json.expires_in !== undefined && (typeof json.expires_in !== 'number' || json.expires_in <= 0)) problems.push(`expires_in ${JSON.stringify(json.expires_in)} is not a positive number`);
  const cache = res.headers['cache-control'] ?? '';
  if (!cache.includes('no-store')) problems.push(`Cache-Control ${JSON.stringify(cache)} lacks no-store`);
  if (problems.length) fail({ message: `token response: ${problems.join('; ')}`, source: 'RFC 6749 §5.1', expected: 'access_token, token_type Bearer, Cache-Control: no-store', observed: problems, evidence: http('token', res) });
  return json as unknown as TokenSet;
}

export function checkOtherMethodRefused(res: RawResponse, client: ClientSpec, other: string): void {
  expectRefusal(res, ['invalid_client', 'unauthorized_client', 'invalid_request'], {
    label: `token (${other})`,
    message: `the token endpoint accepted ${client.id} authenticating with ${other}, but it is configured for ${client.tokenEndpointAuthMethod} only`,
    ...(client.sources.tokenEndpointAuthMethod ? { source: client.sources.tokenEndpointAuthMethod } : {}),
  });
}

export function checkWrongSecretRefused(res: RawResponse, client: ClientSpec): void {
  expectRefusal(res, ['invalid_client'], { label: 'token (wrong secret)', message: `the token endpoint accepted a wrong secret for ${client.id}`, source: 'RFC 6749 §5.2' });
}

export function checkStateEchoed(callback: Callback): void {
  const got = callback.url.searchParams.get('state');
  if (got === callback.state) return;
  fail({ message: got === null ? 'the authorization response has no state' : 'state differs from the one sent', source: 'RFC 6749 §4.1.2: state REQUIRED if present in the request', expected: callback.state, observed: got ?? '(absent)', evidence: [{ label: 'authorization response', data: { params: [...callback.url.searchParams.keys()] } }] });
}

export function checkIssParameter(callback: Callback, advertised: boolean): void {
  const got = callback.url.searchParams.get('iss');
  if (got === null && !advertised) return;
  if (got === callback.issuer) return;
  fail({
    message: got === null ? 'authorization_response_iss_parameter_supported is true but the response has no iss' : `iss ${got} is not the issuer`,
    source: 'RFC 9207 §2',
    expected: callback.issuer,
    observed: got ?? '(absent)',
    evidence: [{ label: 'authorization response', data: { params: [...callback.url.searchParams.keys()] } }],
  });
}

export function checkRedirectBound(res: RawResponse): void {
  expectRefusal(res, ['invalid_grant', 'invalid_request'], { label: 'token (other redirect_uri)', message: 'the code was redeemed with a redirect_uri other than the one it was issued for', source: 'RFC 6749 §4.1.3' });
}

export function checkReuseRefused(second: RawResponse, first: RawResponse): void {
  expectRefusal(second, ['invalid_grant'], { label: 'token (second redemption)', message: 'the code was redeemed twice', source: 'RFC 6749 §4.1.2: the code MUST NOT be used more than once', evidence: http('token (first redemption)', first) });
}

/** `afterReuse`: an introspection (or, without an introspection endpoint, a userinfo) call with the
 *  first access token, after the reuse attempt. Revoked is recognised positively: introspection
 *  200 with active false, or userinfo 401; active (or a userinfo 200) fails; anything else (a 5xx,
 *  another status) is "cannot tell". */
export function checkReuseRevokes(afterReuse: RawResponse, via: 'introspection' | 'userinfo', reuse?: RawResponse): void {
  const evidence = [...http('token (second redemption)', reuse), ...http(`${via} after reuse`, afterReuse)];
  const json = afterReuse.json as { active?: unknown } | undefined;
  if (via === 'introspection' && afterReuse.status === 200 && json?.active === false) return;
  if (via === 'userinfo' && afterReuse.status === 401) return;
  const active = via === 'introspection' ? afterReuse.status === 200 && json?.active === true : afterReuse.status === 200;
  if (!active) skip(`cannot tell whether the tokens of the first redemption were revoked: ${via} answered ${describeResponse(afterReuse)}${via === 'introspection' && afterReuse.status === 200 ? ` with active ${JSON.stringify(json?.active)}` : ''} (revoked is ${via === 'introspection' ? 'HTTP 200 with active false' : 'HTTP 401 invalid_token'}); ${afterReuse.exchange.request.method} ${afterReuse.exchange.request.url}`);
  fail({ message: 'the access token of the first redemption stays active after the code was reused', source: 'RFC 6749 §4.1.2: SHOULD revoke all tokens issued from the code', expected: via === 'introspection' ? 'introspection: HTTP 200 with active false' : 'userinfo: HTTP 401 invalid_token', observed: via === 'introspection' ? `HTTP 200 active true` : describeResponse(afterReuse), evidence });
}

export function pkceRequired(client: ClientSpec, provider: ProviderSpec): { required: boolean; source: string } {
  if (client.requirePkce) return { required: true, source: client.sources.requirePkce ?? 'require_pkce = true' };
  const source = provider.sources.enforcePkce ?? `enforce_pkce = ${provider.enforcePkce}`;
  if (provider.enforcePkce === 'always') return { required: true, source };
  if (provider.enforcePkce === 'public_clients_only' && client.public) return { required: true, source: `${source} (${client.id} is public)` };
  return { required: false, source };
}

/** An authorization request refused at the front channel: an error redirect or an error page, never a code. */
export interface FrontRefusal {
  /** The redirect back to the client, when the provider redirected. */
  callback?: URL;
  /** The provider's own page, when it showed one. */
  pageUrl?: URL;
  status?: number;
  /** Whether that page is recognisably the provider's error page (forms.ts isErrorPage). */
  errorPage?: boolean;
}

/** A page that is not recognisably an error page: no verdict either way. */
export function skipUnrecognisedPage(outcome: FrontRefusal, what: string): void {
  if (!outcome.pageUrl || outcome.errorPage) return;
  skip(`cannot tell whether ${what} was refused: the provider stayed on ${outcome.pageUrl.origin}${outcome.pageUrl.pathname} (HTTP ${outcome.status ?? '?'}), a page that is not recognisably an error page (neither 4xx nor a page mentioning an error), and sent nothing to the client`);
}

export function checkAuthorizationRefused(outcome: FrontRefusal, detail: { message: string; source: string; evidence?: Evidence[] }): void {
  const code = outcome.callback?.searchParams.get('code');
  const error = outcome.callback?.searchParams.get('error');
  if (!code && !error) skipUnrecognisedPage(outcome, 'the request');
  if (!code && (error || outcome.pageUrl)) return;
  fail({
    message: detail.message,
    source: detail.source,
    expected: 'an error redirect (invalid_request) or an error page',
    observed: code ? 'a code was issued' : 'no error',
    evidence: [...(detail.evidence ?? []), { label: 'authorization response', data: { params: outcome.callback ? [...outcome.callback.searchParams.keys()] : [], page: outcome.pageUrl?.href, status: outcome.status } }],
  });
}

export function checkWrongVerifierRefused(res: RawResponse): void {
  expectRefusal(res, ['invalid_grant'], { label: 'token (wrong verifier)', message: 'the code was redeemed with a wrong code_verifier', source: 'RFC 7636 §4.6' });
}

/** One authorization response of the session-reuse scenario. */
export interface PathCallback {
  path: string;
  callback: Callback;
}

function paramRows(paths: PathCallback[], name: 'state' | 'iss', expectedOf: (p: PathCallback) => string | undefined) {
  return paths.map((p, i) => {
    const got = p.callback.url.searchParams.get(name);
    const want = expectedOf(p);
    const earlier = name === 'state' ? paths.slice(0, i).find((e) => e.callback.state === got) : undefined;
    const verdict = got === want || (want === undefined && got === null) ? 'ok' : got === null ? `no ${name}` : earlier ? `carries the state of the earlier "${earlier.path}" authorization` : `${name} differs`;
    return { path: p.path, sent: want ?? '(not required)', in_response: got ?? '(absent)', verdict };
  });
}

function responseEvidence(paths: PathCallback[]): Evidence[] {
  return paths.map((p) => ({ label: `authorization response (${p.path})`, data: { redirect: `${p.callback.url.origin}${p.callback.url.pathname}`, params: [...p.callback.url.searchParams.keys()] } }));
}

/** code.state-session-reuse: each authorization response echoes its own request's state, whatever path the provider took. */
export function checkStateAcrossPaths(paths: PathCallback[]): Evidence[] {
  const rows = paramRows(paths, 'state', (p) => p.callback.state);
  const bad = rows.filter((r) => r.verdict !== 'ok');
  if (bad.length === 0) return [{ label: 'state by authorization path', data: rows }];
  return fail({
    message: `state wrong on ${bad.map((r) => `${r.path} (${r.verdict})`).join(', ')}`,
    source: 'RFC 6749 §4.1.2: state REQUIRED in the response if it was in the request, the exact value received from the client',
    expected: Object.fromEntries(rows.map((r) => [r.path, r.sent])),
    observed: Object.fromEntries(rows.map((r) => [r.path, r.in_response])),
    evidence: [{ label: 'state by authorization path', data: rows }, ...responseEvidence(paths)],
  });
}

/** code.iss-session-reuse: iss equals the issuer on every path (required on every path when advertised). */
export function checkIssAcrossPaths(paths: PathCallback[], advertised: boolean): Evidence[] {
  // Not advertised: iss is optional, but a provider sending it on one path must send the issuer.
  const rows = paramRows(paths, 'iss', (p) => (advertised || p.callback.url.searchParams.has('iss') ? p.callback.issuer : undefined));
  const bad = rows.filter((r) => r.verdict !== 'ok');
  if (bad.length === 0) return [{ label: 'iss by authorization path', data: rows }];
  return fail({
    message: `iss wrong on ${bad.map((r) => `${r.path} (${r.verdict})`).join(', ')}${advertised ? ' although authorization_response_iss_parameter_supported is true' : ''}`,
    source: 'RFC 9207 §2: an authorization server advertising authorization_response_iss_parameter_supported MUST send iss, its issuer identifier, in every authorization response',
    expected: Object.fromEntries(rows.map((r) => [r.path, r.sent])),
    observed: Object.fromEntries(rows.map((r) => [r.path, r.in_response])),
    evidence: [{ label: 'iss by authorization path', data: rows }, ...responseEvidence(paths)],
  });
}

/** code.single-auth-method: `res` answers a token request with the client's credentials in the Basic header AND in the body. */
export function checkSingleAuthMethod(res: RawResponse, client: ClientSpec): void {
  expectRefusal(res, ['invalid_request', 'invalid_client'], {
    label: 'token (Basic header and client_secret in the body)',
    message: `the token endpoint accepted ${client.id} authenticating with client_secret_basic and client_secret_post in the same request`,
    source: 'RFC 6749 §2.3.1: the client MUST NOT use more than one authentication method in each request; §5.2: such a request is invalid_request',
  });
}
