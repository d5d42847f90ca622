// ID token checks (OIDC Core §2, §3.1.3.7): one function, one requirement.

import { createHash } from 'node:crypto';
import * as jose from 'jose';
import type { CheckDef, Evidence } from '../model/check.ts';
import type { ClientSpec } from '../model/target.ts';
import type { RawResponse } from '../http/exchange.ts';
import type { Jwks } from './discovery.ts';
import { fail, http, skip } from './verdict.ts';

const CORE = 'OIDC Core 1.0';

export const idTokenChecks = {
  present: { id: 'id-token.present', title: 'token response carries an ID token', severity: 'failure', spec: `${CORE} §3.1.3.3` },
  signature: { id: 'id-token.signature', title: 'signature verifies against the JWKS key named by kid', severity: 'failure', spec: `${CORE} §3.1.3.7 (6)` },
  kid: { id: 'id-token.kid', title: 'header kid names a key of the JWKS', severity: 'warning', spec: `${CORE} §10.1` },
  alg: { id: 'id-token.alg', title: 'alg is the client\'s configured id_token_signed_response_alg', severity: 'failure', spec: `${CORE} §3.1.3.7 (7)` },
  iss: { id: 'id-token.iss', title: 'iss equals the issuer', severity: 'failure', spec: `${CORE} §3.1.3.7 (2)` },
  aud: { id: 'id-token.aud', title: 'aud contains the client_id (azp when several)', severity: 'failure', spec: `${CORE} §3.1.3.7 (3-5)` },
  exp: { id: 'id-token.exp', title: 'exp in the future and after iat', severity: 'failure', spec: `${CORE} §3.1.3.7 (9)` },
  iat: { id: 'id-token.iat', title: 'iat is now (within clock skew)', severity: 'failure', spec: `${CORE} §3.1.3.7 (10)` },
  authTime: { id: 'id-token.auth-time', title: 'auth_time present and sane', severity: 'failure', spec: `${CORE} §2` },
  nonce: { id: 'id-token.nonce', title: 'nonce echoes the request\'s', severity: 'failure', spec: `${CORE} §3.1.3.7 (11)` },
  atHash: { id: 'id-token.at-hash', title: 'at_hash matches the access token', severity: 'failure', spec: `${CORE} §3.1.3.8` },
  sub: { id: 'id-token.sub', title: 'sub present, a string of at most 255 characters', severity: 'failure', spec: `${CORE} §2` },
  typ: { id: 'id-token.typ', title: 'header typ absent or JWT', severity: 'warning', spec: 'RFC 7519 §5.1; openidconnect-rs validate_jose_header' },
  crit: { id: 'id-token.crit', title: 'header crit absent (no extension a relying party must understand)', severity: 'failure', spec: 'RFC 7515 §4.1.11 (MUST reject unknown crit)' },
  cty: { id: 'id-token.cty', title: 'header cty absent: the payload is the claims set, not a nested JWT', severity: 'failure', spec: `${CORE} §2; RFC 7519 §5.2` },
  nonceSessionReuse: { id: 'id-token.nonce-session-reuse', title: 'nonce is this authorization\'s on a fresh login, on session reuse and after remembered consent', severity: 'failure', spec: `${CORE} §3.1.2.1, §3.1.3.7 (11)` },
} satisfies Record<string, CheckDef>;

export interface IdTokenInput {
  client: ClientSpec;
  issuer: string;
  /** The raw token response the ID token came in. */
  response: RawResponse;
  idToken: string;
  accessToken?: string;
  nonce: string;
  jwks: Jwks;
  /** Clock skew tolerated, seconds. */
  skew: number;
  /** When the authorization started (seconds since epoch). */
  startedAt: number;
  /** Whether auth_time must be present: the profile's provider documents it always; OIDC Core only with max_age or require_auth_time. */
  authTimeRequired: boolean;
  now?: number;
}

function decoded(input: IdTokenInput): { header: jose.ProtectedHeaderParameters; claims: jose.JWTPayload; evidence: Evidence[] } {
  let header: jose.ProtectedHeaderParameters;
  let claims: jose.JWTPayload;
  try {
    header = jose.decodeProtectedHeader(input.idToken);
    claims = jose.decodeJwt(input.idToken);
  } catch (err) {
    return fail({ message: `the ID token is not a JWT: ${err instanceof Error ? err.message : String(err)}`, evidence: http('token', input.response) });
  }
  return { header, claims, evidence: [{ label: 'ID token header and claims', data: { header, claims } }, ...http('token', input.response)] };
}

function now(input: IdTokenInput): number {
  return input.now ?? Math.floor(Date.now() / 1000);
}

export function idTokenOf(response: RawResponse, client: ClientSpec): string {
  const json = response.json as { id_token?: unknown } | undefined;
  if (typeof json?.id_token === 'string') return json.id_token;
  return fail({ message: `no id_token in the token response for ${client.id}`, expected: 'id_token (scope openid was requested)', observed: response.status === 200 ? Object.keys(json ?? {}) : `HTTP ${response.status}`, evidence: http('token', response) });
}

export async function checkSignature(input: IdTokenInput): Promise<void> {
  const { header, evidence } = decoded(input);
  const candidates = input.jwks.keys.filter((k) => (header.kid ? k.kid === header.kid : true) && (k.use === undefined || k.use === 'sig'));
  if (candidates.length === 0) {
    fail({ message: `no key in the JWKS for kid ${JSON.stringify(header.kid)}`, expected: `a JWKS key with kid ${header.kid}`, observed: input.jwks.keys.map((k) => k.kid), evidence });
  }
  for (const jwk of candidates) {
    try {
      const key = await jose.importJWK(jwk as jose.JWK, header.alg);
      // Critical extensions are id-token.crit's verdict; here only the signature is judged.
      const crit = Array.isArray(header.crit) ? Object.fromEntries(header.crit.map((name) => [name, true])) : undefined;
      await jose.compactVerify(input.idToken, key, crit ? { crit } : undefined);
      return;
    } catch {
      // try the next candidate key
    }
  }
  fail({ message: 'the ID token signature does not verify with any matching JWKS key', expected: 'a valid signature', observed: `alg ${header.alg}, kid ${header.kid ?? '(none)'}`, evidence });
}

export function checkKid(input: IdTokenInput): void {
  const { header, evidence } = decoded(input);
  if (header.kid && input.jwks.keys.some((k) => k.kid === header.kid)) return;
  fail({
    message: header.kid ? `kid ${header.kid} is not in the JWKS` : 'the ID token header has no kid',
    source: `${CORE} §10.1: kid is needed when the key set holds more than one key`,
    expected: input.jwks.keys.map((k) => k.kid),
    observed: header.kid ?? '(none)',
    evidence,
  });
}

export function checkAlg(input: IdTokenInput): void {
  const { header, evidence } = decoded(input);
  const expected = input.client.idTokenSignedResponseAlg;
  if (header.alg === expected && header.alg !== 'none') return;
  fail({ message: `ID token alg ${header.alg} is not ${expected}`, source: input.client.sources.idTokenSignedResponseAlg, expected, observed: header.alg, evidence });
}

export function checkIss(input: IdTokenInput): void {
  const { claims, evidence } = decoded(input);
  if (claims.iss === input.issuer) return;
  fail({ message: `iss ${JSON.stringify(claims.iss)} is not the issuer`, source: `${CORE} §3.1.3.7 (2)`, expected: input.issuer, observed: claims.iss, evidence });
}

export function checkAud(input: IdTokenInput): void {
  const { claims, evidence } = decoded(input);
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!aud.includes(input.client.id)) {
    fail({ message: `aud does not contain ${input.client.id}`, source: `${CORE} §3.1.3.7 (3)`, expected: `contains ${input.client.id}`, observed: claims.aud, evidence });
  }
  if (claims.azp !== undefined && claims.azp !== input.client.id) {
    fail({ message: `azp ${JSON.stringify(claims.azp)} is not ${input.client.id}`, source: `${CORE} §3.1.3.7 (5)`, expected: input.client.id, observed: claims.azp, evidence });
  }
  if (aud.length > 1 && claims.azp === undefined) {
    fail({ message: 'several audiences but no azp', source: `${CORE} §2: azp is needed when aud has several values`, expected: input.client.id, observed: '(absent)', evidence });
  }
}

export function checkExp(input: IdTokenInput): void {
  const { claims, evidence } = decoded(input);
  const t = now(input);
  if (typeof claims.exp !== 'number' || !Number.isInteger(claims.exp)) {
    fail({ message: 'exp is missing or not an integer', expected: 'integer seconds', observed: claims.exp, evidence });
  }
  if (claims.exp + input.skew <= t) fail({ message: `the ID token expired ${t - claims.exp} s ago`, expected: `exp > now (${t})`, observed: claims.exp, evidence });
  if (typeof claims.iat === 'number' && claims.exp <= claims.iat) fail({ message: 'exp is not after iat', expected: `exp > iat (${claims.iat})`, observed: claims.exp, evidence });
}

export function checkIat(input: IdTokenInput): void {
  const { claims, evidence } = decoded(input);
  const t = now(input);
  if (typeof claims.iat !== 'number' || !Number.isInteger(claims.iat)) {
    fail({ message: 'iat is missing or not an integer', expected: 'integer seconds', observed: claims.iat, evidence });
  }
  const earliest = input.startedAt - input.skew;
  if (claims.iat < earliest || claims.iat > t + input.skew) {
    fail({ message: `iat is ${claims.iat - t} s from now`, source: `clock skew setting = ${input.skew} s`, expected: `between ${earliest} and ${t + input.skew}`, observed: claims.iat, evidence });
  }
}

export function checkAuthTime(input: IdTokenInput): void {
  const { claims, evidence } = decoded(input);
  const t = now(input);
  if (claims.auth_time === undefined) {
    if (!input.authTimeRequired) skip('auth_time not sent; OIDC Core requires it only with max_age or require_auth_time, and the profile names no provider that documents it always');
    fail({ message: 'auth_time is missing', source: `${CORE} §2 (required with max_age or require_auth_time); the profile's provider documents it in every ID token`, expected: 'integer seconds', observed: '(absent)', evidence });
  }
  const at = claims.auth_time;
  if (typeof at !== 'number' || !Number.isInteger(at)) fail({ message: 'auth_time is not an integer', expected: 'integer seconds', observed: at, evidence });
  // The session this flow used was made by this run (at most a day ago), never after the token.
  if (at <= 0 || at < t - 86400 || at > t + input.skew || (typeof claims.iat === 'number' && at > claims.iat + input.skew)) {
    fail({ message: `auth_time ${at} is not a plausible login time`, expected: `between ${t - 86400} and ${typeof claims.iat === 'number' ? claims.iat : t}`, observed: at, evidence });
  }
}

export function checkNonce(input: IdTokenInput): void {
  const { claims, evidence } = decoded(input);
  if (claims.nonce === input.nonce) return;
  fail({ message: claims.nonce === undefined ? 'the ID token has no nonce although one was sent' : 'nonce differs from the one sent', source: `${CORE} §3.1.3.7 (11)`, expected: input.nonce, observed: claims.nonce ?? '(absent)', evidence });
}

/** Left-most half of the hash of the ASCII octets, base64url (OIDC Core §3.1.3.6). */
function leftHalfHash(value: string, alg: string): string {
  const bits = alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256';
  const digest = createHash(bits).update(value, 'ascii').digest();
  return jose.base64url.encode(digest.subarray(0, digest.length / 2));
}

export function checkAtHash(input: IdTokenInput): void {
  const { header, claims, evidence } = decoded(input);
  // Absent is allowed, not verified: a skip, never a pass.
  if (claims.at_hash === undefined) skip('the ID token has no at_hash: OIDC Core §3.1.3.6 makes it OPTIONAL in the code flow, so there is nothing to verify');
  if (!input.accessToken) fail({ message: 'at_hash present but no access token to compare', expected: 'access_token in the token response', observed: '(absent)', evidence });
  const expected = leftHalfHash(input.accessToken, header.alg ?? 'RS256');
  if (claims.at_hash === expected) return;
  fail({ message: 'at_hash does not match the access token', source: `${CORE} §3.1.3.8`, expected, observed: claims.at_hash, evidence });
}

export function checkSub(input: IdTokenInput): void {
  const { claims, evidence } = decoded(input);
  if (typeof claims.sub === 'string' && claims.sub.length > 0 && claims.sub.length <= 255) return;
  fail({ message: 'sub is missing, empty, not a string or longer than 255 characters', expected: 'a string of 1-255 characters', observed: claims.sub, evidence });
}

// The JOSE header. alg (id-token.alg) and kid (id-token.kid) are checked above; what follows is
// what relying parties' JWT libraries refuse before they look at a claim. The Rust openidconnect
// crate (ramosbugs/openidconnect-rs; Proxmox VE's OpenID login is built on it) rejects in
// JwtClaimsVerifier::validate_jose_header (src/verification.rs up to 3.5, src/verification/mod.rs
// in 4.x): any typ other than JWT ("unexpected or unsupported JWT type", 4.x also accepts
// application/jwt and application/jose), any cty, and any crit.

const OPENIDCONNECT_RS = 'ramosbugs/openidconnect-rs JwtClaimsVerifier::validate_jose_header';

/** typ values every relying party library accepts (compared case-insensitively). */
const ACCEPTED_TYP = ['JWT'];

export function checkTyp(input: IdTokenInput): void {
  const { header, evidence } = decoded(input);
  if (header.typ === undefined || ACCEPTED_TYP.includes(header.typ.toUpperCase())) return;
  fail({
    message: `ID token header typ ${JSON.stringify(header.typ)}: the Rust openidconnect crate rejects it ("unexpected or unsupported JWT type"), so Proxmox VE's OpenID login fails (seen with typ ID+JWT: pocket-id/pocket-id#440)`,
    source: `RFC 7519 §5.1: typ is optional, "JWT" when present; OIDC Core defines no other typ for ID tokens; ${OPENIDCONNECT_RS} accepts no typ or JWT only (3.x; 4.x adds application/jwt and application/jose)`,
    expected: 'no typ, or "JWT"',
    observed: header.typ,
    evidence,
  });
}

/** Header parameters a relying party of ID tokens understands as critical: none (openidconnect-rs rejects any crit). */
const UNDERSTOOD_CRIT: readonly string[] = [];

export function checkCrit(input: IdTokenInput): void {
  const { header, evidence } = decoded(input);
  if (header.crit === undefined) return;
  const crit: unknown = header.crit;
  const names = Array.isArray(crit) ? crit : [];
  const unknown = names.filter((n) => typeof n !== 'string' || !UNDERSTOOD_CRIT.includes(n));
  const malformed = !Array.isArray(crit) || names.length === 0;
  if (!malformed && unknown.length === 0) return;
  fail({
    message: malformed
      ? `ID token header crit ${JSON.stringify(crit)} is not a non-empty array of names`
      : `ID token header marks ${unknown.map((n) => JSON.stringify(n)).join(', ')} critical: a relying party MUST reject a JWS with a critical extension it does not understand, so the ID token is refused (openidconnect-rs: "critical JWT header fields are unsupported")`,
    source: `RFC 7515 §4.1.11: crit lists extensions that MUST be understood, else the JWS is invalid; ${OPENIDCONNECT_RS} rejects any crit`,
    expected: 'no crit',
    observed: crit,
    evidence,
  });
}

export function checkCty(input: IdTokenInput): void {
  const { header, evidence } = decoded(input);
  if (header.cty === undefined) return;
  const nested = String(header.cty).toUpperCase() === 'JWT';
  fail({
    message: nested
      ? 'ID token header cty "JWT" says the payload is a nested JWT, not the ID token\'s claims set'
      : `ID token header cty ${JSON.stringify(header.cty)}: the payload of an ID token is a JSON claims set, which takes no cty; openidconnect-rs rejects any cty`,
    source: `${CORE} §2: the ID token is a JWT whose payload is its claims; RFC 7519 §5.2: cty is NOT RECOMMENDED unless the JWT is nested; ${OPENIDCONNECT_RS} rejects any cty`,
    expected: 'no cty',
    observed: header.cty,
    evidence,
  });
}

/** One authorization of the session-reuse scenario: the request's nonce and the ID token it got. */
export interface NonceObservation {
  /** 'fresh login', 'session reuse 1', 'after remembered consent', ... */
  path: string;
  nonceSent: string;
  idToken: string;
  tokenRes: RawResponse;
}

/** id-token.nonce-session-reuse: every path's ID token carries its own request's nonce; the
 *  nonce of an earlier authorization of the same session is named as such (Proxmox then fails
 *  with "nonce mismatch" on the single-sign-on path only). */
export function checkNonceAcrossPaths(observations: NonceObservation[]): Evidence[] {
  const rows = observations.map((o, i) => {
    let got: unknown;
    try {
      got = jose.decodeJwt(o.idToken).nonce;
    } catch {
      got = '(not a JWT)';
    }
    const earlier = observations.slice(0, i).find((e) => e.nonceSent === got);
    const verdict = got === o.nonceSent ? 'ok' : earlier ? `carries the nonce of the earlier "${earlier.path}" authorization` : got === undefined ? 'no nonce' : 'nonce differs from the one sent';
    return { path: o.path, sent: o.nonceSent, in_id_token: got ?? '(absent)', verdict };
  });
  const bad = rows.filter((r) => r.verdict !== 'ok');
  const evidence: Evidence[] = [{ label: 'nonce by authorization path', data: rows }];
  if (bad.length === 0) return evidence;
  return fail({
    message: `ID token nonce wrong on ${bad.map((r) => `${r.path} (${r.verdict})`).join(', ')}`,
    source: `${CORE} §3.1.2.1: the nonce value is passed through unmodified to the ID token; §3.1.3.7 (11): the client MUST check it equals the one it sent (openidconnect-rs: "nonce mismatch")`,
    expected: Object.fromEntries(rows.map((r) => [r.path, r.sent])),
    observed: Object.fromEntries(rows.map((r) => [r.path, r.in_id_token])),
    evidence: [...evidence, ...bad.flatMap((r) => http(`token (${r.path})`, observations.find((o) => o.path === r.path)?.tokenRes))],
  });
}
