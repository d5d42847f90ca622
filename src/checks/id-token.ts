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
  /** Whether auth_time must be present: Authelia always sends it; OIDC Core only with max_age or require_auth_time. */
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
      await jose.compactVerify(input.idToken, key);
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
    if (!input.authTimeRequired) skip('auth_time not sent; OIDC Core requires it only with max_age or require_auth_time (claims profile oidc-core)');
    fail({ message: 'auth_time is missing', source: `${CORE} §2 (required with max_age or require_auth_time; Authelia always sends it)`, expected: 'integer seconds', observed: '(absent)', evidence });
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
export function leftHalfHash(value: string, alg: string): string {
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
