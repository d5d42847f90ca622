// Discovery checks (OpenID Connect Discovery 1.0): each function is one requirement.

import type { CheckDef } from '../model/check.ts';
import type { TargetProfile } from '../model/target.ts';
import type { RawResponse } from '../http/exchange.ts';
import { endpoint, stringList, type Metadata } from '../protocol/metadata.ts';
import { expectJson200, fail, http } from './verdict.ts';

const DISCOVERY = 'OpenID Connect Discovery 1.0';

export const discoveryChecks = {
  reachable: { id: 'discovery.reachable', title: 'discovery document is served as JSON', severity: 'failure', spec: `${DISCOVERY} §4` },
  issuer: { id: 'discovery.issuer-matches', title: 'issuer equals the URL discovery was fetched from', severity: 'failure', spec: `${DISCOVERY} §4.3` },
  required: { id: 'discovery.required-metadata', title: 'required metadata present and well-formed', severity: 'failure', spec: `${DISCOVERY} §3` },
  userinfo: { id: 'discovery.userinfo-endpoint', title: 'userinfo_endpoint advertised', severity: 'warning', spec: `${DISCOVERY} §3 (RECOMMENDED)` },
  jwks: { id: 'discovery.jwks-reachable', title: 'jwks_uri serves a key set with signing keys', severity: 'failure', spec: `${DISCOVERY} §3; RFC 7517 §5` },
  responseTypes: { id: 'discovery.response-type-code', title: 'response_types_supported includes code', severity: 'failure', spec: `${DISCOVERY} §3` },
  authMethods: { id: 'discovery.auth-methods', title: 'token_endpoint_auth_methods_supported covers every configured client', severity: 'failure', spec: `${DISCOVERY} §3` },
  signingAlgs: { id: 'discovery.id-token-algs', title: 'id_token_signing_alg_values_supported covers every configured client', severity: 'failure', spec: `${DISCOVERY} §3` },
  pkceMethods: { id: 'discovery.pkce-methods', title: 'code_challenge_methods_supported matches the PKCE configuration', severity: 'failure', spec: 'RFC 8414 §2; RFC 7636 §4.2' },
  grantTypes: { id: 'discovery.grant-types', title: 'grant_types_supported covers every configured grant type', severity: 'warning', spec: `${DISCOVERY} §3` },
  endpoints: { id: 'discovery.token-endpoints', title: 'introspection and revocation endpoints are advertised (or named in the profile)', severity: 'warning', spec: 'RFC 8414 §2; RFC 7662; RFC 7009 (the checks of both need them)' },
  scopes: { id: 'discovery.scopes', title: 'scopes_supported covers every configured scope', severity: 'warning', spec: `${DISCOVERY} §3 (RECOMMENDED)` },
} satisfies Record<string, CheckDef>;

export function checkReachable(res: RawResponse): Metadata {
  const json = expectJson200(res, { message: 'discovery document not served as a JSON object', label: 'discovery' });
  const type = res.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) {
    fail({ message: 'discovery document not served as application/json', expected: 'application/json', observed: type || '(none)', evidence: http('discovery', res) });
  }
  return json;
}

export function checkIssuer(meta: Metadata, expected: string, res: RawResponse): void {
  if (meta.issuer === expected) return;
  fail({
    message: `issuer ${JSON.stringify(meta.issuer)} is not the URL discovery was fetched from`,
    source: `${DISCOVERY} §4.3: issuer MUST be identical to the issuer URL used for discovery`,
    expected,
    observed: meta.issuer,
    evidence: http('discovery', res),
  });
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** An absolute https URL (http allowed on loopback, where test providers live). */
function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'missing';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `not an absolute URL: ${value}`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) return `not https: ${value}`;
  if (url.hash) return `has a fragment: ${value}`;
  return undefined;
}

const REQUIRED_URLS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'];
const OPTIONAL_URLS = ['userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'registration_endpoint'];
const REQUIRED_LISTS = ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'];

export function checkRequiredMetadata(meta: Metadata, res: RawResponse): void {
  const problems: string[] = [];
  for (const name of REQUIRED_URLS) {
    const p = urlProblem(meta[name]);
    if (p) problems.push(`${name}: ${p}`);
  }
  for (const name of OPTIONAL_URLS) {
    if (meta[name] === undefined) continue;
    const p = urlProblem(meta[name]);
    if (p) problems.push(`${name}: ${p}`);
  }
  for (const name of REQUIRED_LISTS) {
    const list = stringList(meta, name);
    if (!list || list.length === 0) problems.push(`${name}: ${meta[name] === undefined ? 'missing' : 'not a non-empty list of strings'}`);
  }
  const subjects = stringList(meta, 'subject_types_supported') ?? [];
  if (subjects.some((s) => s !== 'public' && s !== 'pairwise')) problems.push(`subject_types_supported: unknown type in ${subjects.join(', ')}`);
  if (problems.length === 0) return;
  fail({
    message: `discovery metadata: ${problems.join('; ')}`,
    source: `${DISCOVERY} §3`,
    expected: 'every REQUIRED member present; endpoints absolute https URLs',
    observed: problems,
    evidence: http('discovery', res),
  });
}

export function checkUserinfoAdvertised(meta: Metadata, res: RawResponse): void {
  if (endpoint(meta, 'userinfo_endpoint')) return;
  fail({ message: 'userinfo_endpoint is not advertised', expected: 'a userinfo_endpoint URL', observed: meta.userinfo_endpoint ?? '(absent)', evidence: http('discovery', res) });
}

export interface Jwks {
  keys: Array<Record<string, unknown>>;
}

export function checkJwks(res: RawResponse): Jwks {
  const json = expectJson200(res, { message: 'jwks_uri does not serve a JSON key set', label: 'jwks' });
  const keys = json.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    fail({ message: 'the key set has no keys', expected: 'a non-empty keys array', observed: keys, evidence: http('jwks', res) });
  }
  const list = keys as Array<Record<string, unknown>>;
  const bad = list.filter((k) => typeof k.kty !== 'string');
  if (bad.length) fail({ message: 'a key in the key set has no kty', expected: 'kty on every key', observed: bad, evidence: http('jwks', res) });
  const privateMembers = list.filter((k) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((m) => m in k));
  if (privateMembers.length) fail({ message: 'the public key set exposes private key material', expected: 'public members only', observed: privateMembers.map((k) => k.kid ?? k.kty), evidence: [{ label: 'jwks', data: { keys: list.length } }] });
  const signing = list.filter((k) => k.use === undefined || k.use === 'sig');
  if (signing.length === 0) fail({ message: 'the key set has no signing key', expected: 'a key with use "sig" or no use', observed: list.map((k) => k.use), evidence: http('jwks', res) });
  return { keys: list };
}

export function checkResponseTypeCode(meta: Metadata, res: RawResponse): void {
  const list = stringList(meta, 'response_types_supported') ?? [];
  if (list.includes('code')) return;
  fail({ message: 'response_types_supported lacks code', source: `${DISCOVERY} §3: dynamic OPs MUST support code`, expected: 'includes "code"', observed: list, evidence: http('discovery', res) });
}

export function checkAuthMethods(meta: Metadata, profile: TargetProfile, res: RawResponse): void {
  // Absent means client_secret_basic only (Discovery §3).
  const advertised = stringList(meta, 'token_endpoint_auth_methods_supported') ?? ['client_secret_basic'];
  const missing = profile.clients.filter((c) => !advertised.includes(c.tokenEndpointAuthMethod));
  if (missing.length === 0) return;
  const first = missing[0]!;
  fail({
    message: `token_endpoint_auth_methods_supported lacks ${[...new Set(missing.map((c) => c.tokenEndpointAuthMethod))].join(', ')} used by ${missing.map((c) => c.id).join(', ')}`,
    source: first.sources.tokenEndpointAuthMethod ?? `client ${first.id}`,
    expected: [...new Set(profile.clients.map((c) => c.tokenEndpointAuthMethod))],
    observed: advertised,
    evidence: http('discovery', res),
  });
}

export function checkIdTokenAlgs(meta: Metadata, profile: TargetProfile, res: RawResponse): void {
  const advertised = stringList(meta, 'id_token_signing_alg_values_supported') ?? [];
  const missing = profile.clients.filter((c) => !advertised.includes(c.idTokenSignedResponseAlg));
  if (!advertised.includes('RS256')) {
    fail({ message: 'id_token_signing_alg_values_supported lacks RS256', source: `${DISCOVERY} §3: RS256 MUST be included`, expected: 'includes RS256', observed: advertised, evidence: http('discovery', res) });
  }
  if (missing.length === 0) return;
  fail({
    message: `id_token_signing_alg_values_supported lacks ${missing.map((c) => `${c.idTokenSignedResponseAlg} (${c.id})`).join(', ')}`,
    source: missing[0]!.sources.idTokenSignedResponseAlg ?? `client ${missing[0]!.id}`,
    expected: [...new Set(profile.clients.map((c) => c.idTokenSignedResponseAlg))],
    observed: advertised,
    evidence: http('discovery', res),
  });
}

export function checkPkceMethods(meta: Metadata, profile: TargetProfile, res: RawResponse): void {
  const advertised = stringList(meta, 'code_challenge_methods_supported');
  const plain = profile.provider.enablePkcePlainChallenge;
  const expected = plain ? ['S256', 'plain'] : ['S256'];
  const source = profile.provider.sources.enablePkcePlainChallenge ?? 'enable_pkce_plain_challenge';
  if (!advertised) {
    fail({ message: 'code_challenge_methods_supported is not advertised', source: 'RFC 8414 §2: omitted means PKCE is not supported', expected, observed: '(absent)', evidence: http('discovery', res) });
  }
  if (!advertised.includes('S256')) fail({ message: 'code_challenge_methods_supported lacks S256', source: 'RFC 7636 §4.2', expected, observed: advertised, evidence: http('discovery', res) });
  if (advertised.includes('plain') !== plain) {
    fail({ message: `code_challenge_methods_supported ${plain ? 'lacks' : 'advertises'} plain`, source, expected, observed: advertised, evidence: http('discovery', res) });
  }
}

export function checkGrantTypes(meta: Metadata, profile: TargetProfile, res: RawResponse): void {
  // Absent means authorization_code and implicit (Discovery §3).
  const advertised = stringList(meta, 'grant_types_supported') ?? ['authorization_code', 'implicit'];
  const missing = profile.clients.flatMap((c) => c.grantTypes.filter((g) => !advertised.includes(g)).map((g) => ({ g, c })));
  if (missing.length === 0) return;
  fail({
    message: `grant_types_supported lacks ${[...new Set(missing.map((m) => m.g))].join(', ')} (configured for ${[...new Set(missing.map((m) => m.c.id))].join(', ')})`,
    source: missing[0]!.c.sources.grantTypes ?? `client ${missing[0]!.c.id}`,
    expected: [...new Set(profile.clients.flatMap((c) => c.grantTypes))],
    observed: advertised,
    evidence: http('discovery', res),
  });
}

export function checkScopes(meta: Metadata, profile: TargetProfile, res: RawResponse): void {
  const advertised = stringList(meta, 'scopes_supported');
  if (!advertised) fail({ message: 'scopes_supported is not advertised', expected: 'a list of scopes', observed: '(absent)', evidence: http('discovery', res) });
  const missing = profile.clients.flatMap((c) => c.scopes.filter((s) => !advertised.includes(s)).map((s) => ({ s, c })));
  if (missing.length === 0) return;
  fail({
    message: `scopes_supported lacks ${[...new Set(missing.map((m) => m.s))].join(', ')}`,
    source: missing[0]!.c.sources.scopes ?? `client ${missing[0]!.c.id}`,
    expected: [...new Set(profile.clients.flatMap((c) => c.scopes))],
    observed: advertised,
    evidence: http('discovery', res),
  });
}

/** Fills in endpoints the profile names and discovery leaves out (discovery's own win). */
export function withProfileEndpoints(meta: Metadata, named: Record<string, string> | undefined): Metadata {
  if (!named) return meta;
  const out: Metadata = { ...meta };
  for (const [name, url] of Object.entries(named)) if (endpoint(meta, name) === undefined) out[name] = url;
  return out;
}

/** One finding for introspection and revocation endpoints that neither discovery nor the profile
 *  names, so their checks' skips have a cause in the report. */
export function checkTokenEndpoints(meta: Metadata, res: RawResponse): void {
  const missing = ['introspection_endpoint', 'revocation_endpoint'].filter((name) => endpoint(meta, name) === undefined);
  if (missing.length === 0) return;
  fail({
    message: `${missing.join(' and ')} neither advertised nor named in the profile (endpoints:), so the ${missing.map((m) => m.replace('_endpoint', '')).join(' and ')} checks are skipped`,
    source: 'RFC 8414 §2',
    expected: missing,
    observed: '(absent)',
    evidence: http('discovery', res),
  });
}
