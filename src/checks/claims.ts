// Claims tables: which claims a client must get, where (ID token, userinfo, introspection) and with
// which value for the test user, derived from the client's scopes, the user's expected claims and
// the target's claims profile. No other tool compares claim values; providers move claims between
// the ID token and userinfo across versions, and that is what breaks relying parties.

import type { CheckDef, Evidence } from '../model/check.ts';
import type { ClaimsProfile, ClientSpec, TestUser } from '../model/target.ts';
import type { RawResponse } from '../http/exchange.ts';
import { fail, http, skip } from './verdict.ts';
import { SCOPE_CLAIMS } from '../model/scopes.ts';

export { SCOPE_CLAIMS };

export const claimsChecks = {
  userinfo: { id: 'claims.userinfo-values', title: 'userinfo carries every granted scope claim with the test user\'s value', severity: 'failure', spec: 'OIDC Core §5.4, §5.3.2' },
  idToken: { id: 'claims.id-token-placement', title: 'the ID token carries exactly the scope claims the claims profile puts there', severity: 'failure', spec: 'OIDC Core §5.4; Authelia claims_policies' },
  perScope: { id: 'claims.per-scope', title: 'each allowed scope alone brings exactly its own claims, with the test user\'s values', severity: 'failure', spec: 'OIDC Core §5.4' },
  noLeak: { id: 'claims.no-leak', title: 'claims of scopes not granted appear nowhere', severity: 'failure', spec: 'OIDC Core §5.4' },
  noEscalation: { id: 'claims.no-escalation', title: 'a scope the client is not allowed is refused or dropped', severity: 'failure', spec: 'RFC 6749 §3.3; configuration: clients[].scopes' },
  subjectTypes: { id: 'claims.subject-types', title: 'clients share sub unless sector_identifier_uri makes it pairwise per sector', severity: 'failure', spec: 'OIDC Core §8; configuration: clients[].sector_identifier_uri' },
  subStable: { id: 'claims.sub-stable', title: 'sub is stable across logins and equal in ID token, userinfo and introspection', severity: 'failure', spec: 'OIDC Core §2, §5.3.2, §8' },
  typesIdToken: { id: 'claims.types-id-token', title: 'every claim the ID token carries has the JSON type OIDC Core defines', severity: 'failure', spec: 'OIDC Core §2, §5.1' },
  typesUserinfo: { id: 'claims.types-userinfo', title: 'every standard claim in userinfo has the JSON type OIDC Core defines', severity: 'failure', spec: 'OIDC Core §5.1, §5.3.2' },
  typesNonStandard: { id: 'claims.types-non-standard', title: 'groups (and alt_emails) are arrays of strings in the ID token and userinfo', severity: 'warning', spec: 'Authelia claims; relying parties\' expectation' },
} satisfies Record<string, CheckDef>;


export type Location = 'id_token' | 'userinfo' | 'introspection';

export interface ExpectedClaim {
  claim: string;
  scope: string;
  value: unknown;
  /** Where the claims profile requires it. */
  required: Location[];
  /** Where it must not be (4.39: scope claims stay out of the ID token unless a claims policy lists them). */
  forbidden: Location[];
  source: string;
}

export interface Observed {
  id_token: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  /** Undefined when the provider has no introspection or the client cannot call it. */
  introspection?: Record<string, unknown>;
}

function claimsOfScopes(scopes: string[]): Set<string> {
  return new Set(scopes.flatMap((s) => SCOPE_CLAIMS[s] ?? []));
}

/** The claims table for `client` granted `scopes`, as the claims profile places them. */
export function expectedClaims(client: ClientSpec, user: TestUser, scopes: string[], profile: ClaimsProfile, userSource: string): ExpectedClaim[] {
  const table: ExpectedClaim[] = [];
  for (const scope of scopes) {
    for (const claim of SCOPE_CLAIMS[scope] ?? []) {
      if (!(claim in user.claims)) continue;
      const inPolicy = client.idTokenClaims.includes(claim);
      const required: Location[] = ['userinfo'];
      const forbidden: Location[] = [];
      let source = `${userSource}: users[${user.username}].claims.${claim}; scope ${scope} granted (${client.sources.scopes ?? 'scopes'})`;
      if (profile === 'authelia-legacy') {
        required.push('id_token');
        source += '; claims profile authelia-legacy puts scope claims in the ID token';
      } else if (profile === 'authelia-4.39') {
        if (inPolicy) {
          required.push('id_token');
          source += `; ${client.sources.idTokenClaims ?? 'claims_policy'}`;
        } else {
          forbidden.push('id_token');
          source += `; claims profile authelia-4.39 keeps scope claims out of the ID token (${client.sources.idTokenClaims ?? 'no claims_policy'})`;
        }
      }
      table.push({ claim, scope, value: user.claims[claim], required, forbidden, source });
    }
  }
  return table;
}

/** Equal as a relying party would compare: arrays of strings as sets, everything else exactly. */
export function sameValue(expected: unknown, observed: unknown): boolean {
  if (Array.isArray(expected)) {
    if (!Array.isArray(observed)) return false;
    const a = new Set(expected.map(String));
    const b = new Set(observed.map(String));
    return a.size === b.size && [...a].every((x) => b.has(x));
  }
  if (expected !== null && typeof expected === 'object') return JSON.stringify(expected) === JSON.stringify(observed);
  return expected === observed;
}

export interface TableRow {
  claim: string;
  scope: string;
  expected: unknown;
  required: string;
  // Not named id_token: that key holds a token everywhere else, and redaction treats it so.
  in_id_token: unknown;
  in_userinfo: unknown;
  in_introspection: unknown;
  verdict: string;
}

const ABSENT = '(absent)';

function valueAt(observed: Observed, loc: Location, claim: string): unknown {
  const set = observed[loc];
  if (!set) return '(not checked)';
  return claim in set ? set[claim] : ABSENT;
}

/** Compares the table with what was observed; returns the rows (the report's claims table) and the problems. */
function compareTable(table: ExpectedClaim[], observed: Observed, locations: Location[]): { rows: TableRow[]; problems: string[] } {
  const rows: TableRow[] = [];
  const problems: string[] = [];
  for (const e of table) {
    const verdicts: string[] = [];
    for (const loc of locations) {
      if (!observed[loc]) continue;
      const value = valueAt(observed, loc, e.claim);
      const present = value !== ABSENT;
      if (e.required.includes(loc)) {
        if (!present) verdicts.push(`missing from ${loc}`);
        else if (!sameValue(e.value, value)) verdicts.push(`${loc} has ${JSON.stringify(value)}, expected ${JSON.stringify(e.value)}`);
      } else if (e.forbidden.includes(loc) && present) {
        verdicts.push(`in ${loc} although the claims profile keeps it out`);
      } else if (present && !sameValue(e.value, value)) {
        verdicts.push(`${loc} has ${JSON.stringify(value)}, expected ${JSON.stringify(e.value)}`);
      }
    }
    for (const v of verdicts) problems.push(`${e.claim}: ${v}`);
    rows.push({
      claim: e.claim,
      scope: e.scope,
      expected: e.value,
      required: e.required.join(' + '),
      in_id_token: valueAt(observed, 'id_token', e.claim),
      in_userinfo: valueAt(observed, 'userinfo', e.claim),
      in_introspection: valueAt(observed, 'introspection', e.claim),
      verdict: verdicts.length ? verdicts.join('; ') : 'ok',
    });
  }
  return { rows, problems };
}

function tableEvidence(rows: TableRow[], extra: Evidence[] = []): Evidence[] {
  return [{ label: 'claims table (expected vs observed)', data: rows }, ...extra];
}

/** Fails when a location in `locations` breaks the table; returns the table for the report on success. */
export function checkClaims(table: ExpectedClaim[], observed: Observed, locations: Location[], what: string, extra: Evidence[] = []): Evidence[] {
  const { rows, problems } = compareTable(table, observed, locations);
  if (table.length === 0) fail({ message: `no claim to check for ${what}: the test user has no expected values for the granted scopes`, expected: 'users[].claims for the granted scopes', observed: '(none)', evidence: extra });
  if (problems.length === 0) return tableEvidence(rows, extra);
  return fail({
    message: `${what}: ${problems.join('; ')}`,
    source: table.find((e) => problems.some((p) => p.startsWith(`${e.claim}:`)))?.source ?? table[0]!.source,
    expected: Object.fromEntries(table.map((e) => [e.claim, e.value])),
    observed: Object.fromEntries(rows.map((r) => [r.claim, { in_id_token: r.in_id_token, in_userinfo: r.in_userinfo, in_introspection: r.in_introspection }])),
    evidence: tableEvidence(rows, extra),
  });
}

/** Claims of scopes not granted, anywhere they were observed. */
export function checkNoLeak(granted: string[], observed: Observed, source: string): void {
  const allowed = claimsOfScopes(granted);
  const leaks: string[] = [];
  for (const scope of Object.keys(SCOPE_CLAIMS)) {
    for (const claim of SCOPE_CLAIMS[scope]!) {
      if (allowed.has(claim)) continue;
      for (const loc of ['id_token', 'userinfo', 'introspection'] as const) {
        if (observed[loc] && claim in observed[loc]!) leaks.push(`${claim} (scope ${scope}) in ${loc}`);
      }
    }
  }
  if (leaks.length === 0) return;
  fail({
    message: `claims of scopes not granted: ${leaks.join(', ')}`,
    source,
    expected: `only claims of: ${granted.join(' ')}`,
    observed: leaks,
    evidence: [{ label: 'observed claims', data: { id_token: Object.keys(observed.id_token), userinfo: Object.keys(observed.userinfo), introspection: observed.introspection ? Object.keys(observed.introspection) : '(not checked)' } }],
  });
}

/** The scopes a flow may be taken to have granted: those requested that the configuration allows
 *  the client (openid always), never what the provider says it granted. */
export function grantedScopes(requested: string, client: ClientSpec): string[] {
  const allowed = new Set(['openid', ...client.scopes]);
  return [...new Set(requested.split(' ').filter((s) => s && allowed.has(s)))];
}

/** After asking for `scope` the client is not allowed: the grant must not include it nor its
 *  claims. A token response without `scope` granted what was requested (RFC 6749 §5.1), `scope`
 *  included. */
export function checkNoEscalation(scope: string, client: ClientSpec, grantedScope: string | undefined, observed: Observed, evidence: Evidence[] = []): void {
  const claims = SCOPE_CLAIMS[scope] ?? [];
  const leaked = (['id_token', 'userinfo', 'introspection'] as const).flatMap((loc) => claims.filter((c) => observed[loc] && c in observed[loc]!).map((c) => `${c} in ${loc}`));
  const granted = grantedScope === undefined || grantedScope.split(' ').includes(scope);
  if (!granted && leaked.length === 0) return;
  const why = grantedScope === undefined ? ' (the token response has no scope, which means the scope requested, RFC 6749 §5.1)' : '';
  fail({
    message: `${client.id} obtained scope ${scope}, which it is not allowed${why}${leaked.length ? ` (${leaked.join(', ')})` : ''}`,
    source: client.sources.scopes ?? `scopes = ${client.scopes.join(', ')}`,
    expected: `invalid_scope, or ${scope} dropped from the grant (a scope in the token response without it)`,
    observed: { scope: grantedScope ?? '(absent: as requested)', claims: leaked },
    evidence,
  });
}

/** An error redirect to a request with `scope` the client is not allowed: invalid_scope names the
 *  scope; any other error counts only when the same request without that scope gets a code
 *  (`control`), else the error may have nothing to do with the scope: "cannot tell". */
export function checkEscalationError(scope: string, client: ClientSpec, refused: URL, control: URL): void {
  const error = refused.searchParams.get('error');
  if (error === 'invalid_scope') return;
  if (control.searchParams.get('code') && !control.searchParams.get('error')) return;
  const described = (u: URL) => `${u.searchParams.get('error') ?? (u.searchParams.get('code') ? 'a code' : 'nothing')}${u.searchParams.get('error_description') ? ` (${u.searchParams.get('error_description')})` : ''}`;
  skip(`cannot tell whether scope ${scope} was refused for ${client.id}: the request with it got error ${described(refused)}, and the same request without it got ${described(control)}, so the error need not be about the scope`);
}

/** `evidence`: the exchanges the subs were read from (the new login's token response). */
export function checkSubStable(subs: Array<{ where: string; sub: unknown }>, evidence: Evidence[] = []): void {
  const first = subs[0]?.sub;
  const different = subs.filter((s) => s.sub !== first);
  if (typeof first === 'string' && different.length === 0) return;
  fail({
    message: `sub differs: ${subs.map((s) => `${s.where} ${JSON.stringify(s.sub)}`).join(', ')}`,
    source: 'OIDC Core §2: sub is a locally unique, never reassigned identifier; §5.3.2: userinfo sub MUST match the ID token',
    expected: `one sub everywhere (${JSON.stringify(first)})`,
    observed: Object.fromEntries(subs.map((s) => [s.where, s.sub])),
    evidence: [{ label: 'sub as read', data: Object.fromEntries(subs.map((s) => [s.where, s.sub])) }, ...evidence],
  });
}

export interface ClientSub {
  client: ClientSpec;
  sub: unknown;
}

/** Same sector (public counts as one sector): same sub; different sectors: different subs. */
export function checkSubjectTypes(subs: ClientSub[]): Array<Record<string, unknown>> {
  const problems: string[] = [];
  const sector = (c: ClientSpec) => c.sectorIdentifierUri ?? '(public)';
  for (let i = 0; i < subs.length; i++) {
    for (let j = i + 1; j < subs.length; j++) {
      const a = subs[i]!;
      const b = subs[j]!;
      const same = sector(a.client) === sector(b.client);
      if (same && a.sub !== b.sub) problems.push(`${a.client.id} and ${b.client.id} share sector ${sector(a.client)} but got different subs`);
      if (!same && a.sub === b.sub) problems.push(`${a.client.id} (${sector(a.client)}) and ${b.client.id} (${sector(b.client)}) got the same sub`);
    }
  }
  const rows = subs.map((s) => ({ client: s.client.id, sector: sector(s.client), sub: s.sub }));
  if (problems.length === 0) return rows;
  const pairwise = subs.find((s) => s.client.sectorIdentifierUri);
  return fail({
    message: problems.join('; '),
    source: pairwise?.client.sources.sectorIdentifierUri ?? 'no client sets sector_identifier_uri: every client gets the same public sub',
    expected: 'one sub per sector for the same user',
    observed: Object.fromEntries(rows.map((r) => [r.client, `${String(r.sub)} (${r.sector})`])),
    evidence: [{ label: 'sub by client and sector', data: rows }],
  });
}

// Claim JSON types. OIDC Core §5.1 gives each standard claim one JSON type, and relying parties
// deserialize into those types: RustDesk's OIDC library rejects the whole userinfo response when
// email_verified is the string "true". The ID token claims of §2 are typed there.

export type ClaimType = 'string' | 'boolean' | 'number' | 'address' | 'string-or-strings' | 'strings';

const STRING_CLAIMS = ['sub', 'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'email', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number'];

/** OIDC Core §5.1 (standard claims). */
export const STANDARD_CLAIM_TYPES: Readonly<Record<string, ClaimType>> = {
  ...Object.fromEntries(STRING_CLAIMS.map((c) => [c, 'string' as const])),
  email_verified: 'boolean',
  phone_number_verified: 'boolean',
  address: 'address',
  updated_at: 'number',
};

/** OIDC Core §2 (ID token claims), §3.1.3.6 (at_hash), §3.3.2.11 (c_hash); jti and sid as RFC 7519 §4.1.7 and OIDC Front/Back-Channel Logout define them. */
export const ID_TOKEN_CLAIM_TYPES: Readonly<Record<string, ClaimType>> = {
  ...STANDARD_CLAIM_TYPES,
  iss: 'string',
  aud: 'string-or-strings',
  exp: 'number',
  iat: 'number',
  auth_time: 'number',
  nonce: 'string',
  acr: 'string',
  amr: 'strings',
  azp: 'string',
  at_hash: 'string',
  c_hash: 'string',
  jti: 'string',
  sid: 'string',
};

/** Not in OIDC Core; relying parties (group mappings, allowed groups) read them as arrays of strings. */
export const NON_STANDARD_CLAIM_TYPES: Readonly<Record<string, ClaimType>> = { groups: 'strings', alt_emails: 'strings' };

const ADDRESS_MEMBERS = ['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country'];

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return `${jsonType(value)} ${text && text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** What is wrong with `value` for `type`, or undefined when it has that type. `shown`: how the
 *  message shows a value of the wrong type (a target profile's loader shows it as its other
 *  mistakes, never a secret field's value). */
export function typeProblem(type: ClaimType, value: unknown, shown: (value: unknown) => string = describeValue): string | undefined {
  switch (type) {
    case 'string':
    case 'boolean':
      return typeof value === type ? undefined : `is ${shown(value)}, expected a ${type}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `is ${shown(value)}, expected a number (seconds since the epoch)`;
    case 'string-or-strings':
      return typeof value === 'string' || isStrings(value) ? undefined : `is ${shown(value)}, expected a string or an array of strings`;
    case 'strings':
      return isStrings(value) ? undefined : `is ${shown(value)}, expected an array of strings`;
    case 'address': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return `is ${shown(value)}, expected a JSON object`;
      const bad = Object.entries(value as Record<string, unknown>).filter(([k, v]) => ADDRESS_MEMBERS.includes(k) && typeof v !== 'string').map(([k]) => k);
      return bad.length ? `has non-string members ${bad.join(', ')} (OIDC Core §5.1.1: all are strings)` : undefined;
    }
  }
}

/** Every claim of `claims` that `table` types and that does not have its type. */
export function claimTypeProblems(claims: Record<string, unknown>, table: Readonly<Record<string, ClaimType>>): string[] {
  const problems: string[] = [];
  for (const [claim, value] of Object.entries(claims)) {
    const type = table[claim];
    if (!type) continue;
    const problem = typeProblem(type, value);
    if (problem) problems.push(`${claim} ${problem}`);
  }
  return problems;
}

export interface TypedClaims {
  /** Where the claims were read: 'ID token' or 'userinfo'. */
  where: 'ID token' | 'userinfo';
  claims: Record<string, unknown>;
  /** The response they came in (token response or userinfo response). */
  response: RawResponse;
}

function typeFailure(problems: string[], seen: TypedClaims[], detail: { message: string; source: string; expected: string }): never {
  return fail({
    message: `${detail.message}: ${problems.join('; ')}`,
    source: detail.source,
    expected: detail.expected,
    observed: problems,
    evidence: seen.flatMap((s) => [{ label: `${s.where} claims`, data: s.claims }, ...http(s.where === 'ID token' ? 'token' : 'userinfo', s.response)]),
  });
}

/** claims.types-id-token: every claim the ID token carries, typed by OIDC Core §2 and §5.1. */
export function checkIdTokenClaimTypes(idToken: TypedClaims): void {
  const problems = claimTypeProblems(idToken.claims, ID_TOKEN_CLAIM_TYPES);
  if (problems.length === 0) return;
  typeFailure(problems, [idToken], {
    message: 'ID token claims of the wrong JSON type',
    source: 'OIDC Core §2 and §5.1 define the type of each claim; relying parties that deserialize into those types reject the whole ID token',
    expected: 'iss/sub/nonce/azp/acr strings; aud string or array of strings; exp/iat/auth_time/updated_at numbers; *_verified booleans; address an object of strings',
  });
}

/** claims.types-userinfo: every standard claim of the userinfo response, typed by OIDC Core §5.1. */
export function checkUserinfoClaimTypes(userinfo: TypedClaims): void {
  const problems = claimTypeProblems(userinfo.claims, STANDARD_CLAIM_TYPES);
  if (problems.length === 0) return;
  typeFailure(problems, [userinfo], {
    message: 'userinfo claims of the wrong JSON type',
    source: 'OIDC Core §5.1 defines the type of each standard claim (§5.3.2: userinfo returns them as members of a JSON object); RustDesk\'s OIDC client rejects the whole response when email_verified is the string "true"',
    expected: 'strings; email_verified/phone_number_verified booleans; updated_at a number; address an object of strings',
  });
}

/** claims.types-non-standard: groups and alt_emails as arrays of strings wherever they appear. */
export function checkNonStandardClaimTypes(seen: TypedClaims[]): void {
  const problems = seen.flatMap((s) => claimTypeProblems(s.claims, NON_STANDARD_CLAIM_TYPES).map((p) => `${s.where}: ${p}`));
  if (problems.length === 0) return;
  typeFailure(problems, seen, {
    message: 'non-standard list claims not sent as arrays of strings',
    source: 'not in OIDC Core; relying parties (group mappings, allowed-group lists) read groups as an array of strings, and a single string breaks them',
    expected: 'groups and alt_emails: arrays of strings',
  });
}
