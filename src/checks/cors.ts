// CORS per endpoint and requirement, derived from `identity_providers.oidc.cors`: for preflight
// and actual requests, from an allowed origin, a disallowed one, an http one and none, the exact
// Access-Control-Allow-Origin (or its absence), the allowed method and headers, Vary: Origin, and
// Allow-Credentials. What only one provider documents (discovery and JWKS open to all, nothing
// without an Origin, credentials on some endpoints) is expected only when the profile names it.

import type { CheckDef } from '../model/check.ts';
import type { ClientSpec, ProviderSpec } from '../model/target.ts';
import type { RawResponse } from '../http/exchange.ts';
import { fail, skip } from './verdict.ts';
import { isDefaultSource, type ProviderBehaviour } from '../model/behaviour.ts';

/** Endpoints the cors options do not govern (discovery, JWKS) and those `cors.endpoints` may open. */
const OPEN_ENDPOINTS = ['discovery', 'jwks'] as const;
const LISTABLE_ENDPOINTS = ['authorization', 'token', 'revocation', 'introspection', 'userinfo'] as const;
export type CorsEndpoint = (typeof OPEN_ENDPOINTS)[number] | (typeof LISTABLE_ENDPOINTS)[number];

/** One CORS requirement of one endpoint. Each is its own check, so a second defect stays
 *  visible when the first already fails. */
export const CORS_REQUIREMENTS = {
  'allowed-origin': { title: 'an allowed origin is let in (preflight and actual request)', severity: 'failure', spec: 'Fetch §3.2 (CORS protocol); the cors configuration' },
  'disallowed-origin': { title: 'an origin the configuration does not allow (https and http) is not let in', severity: 'failure', spec: 'Fetch §3.2 (CORS protocol); the cors configuration' },
  'no-origin': { title: 'a request without Origin gets no CORS headers', severity: 'failure', spec: 'the provider\'s documented CORS behaviour' },
  credentials: { title: 'Access-Control-Allow-Credentials only with an echoed origin, and where the provider documents it', severity: 'failure', spec: 'Fetch §3.2.5 (credentials never with *); the provider\'s documented CORS behaviour' },
  vary: { title: 'an answer that depends on Origin says Vary: Origin', severity: 'warning', spec: 'Fetch §3.2.5; RFC 9110 §12.5.5' },
} as const satisfies Record<string, Omit<CheckDef, 'id'>>;

export type CorsRequirement = keyof typeof CORS_REQUIREMENTS;

export function corsCheck(endpoint: CorsEndpoint, requirement: CorsRequirement): CheckDef {
  return { id: `cors.${endpoint}.${requirement}`, ...CORS_REQUIREMENTS[requirement] };
}

export type OriginKind = 'allowed' | 'disallowed' | 'http' | 'none';

export interface Expectation {
  /** Exact Access-Control-Allow-Origin, or null for absent. */
  allowOrigin: string | null;
  credentials: boolean;
  source: string;
}

/** What the expectations are built from: the configuration's cors options, and the CORS details
 *  the profile's provider documents (undefined: none). */
export interface CorsBasis {
  provider: ProviderSpec;
  clients: ClientSpec[];
  behaviour?: ProviderBehaviour;
}

export interface Origins {
  allowed: string;
  disallowed: string;
  http: string;
}

function redirectOrigins(clients: ClientSpec[]): string[] {
  return clients.flatMap((c) => c.redirectUris).flatMap((u) => {
    try {
      const url = new URL(u);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== 'localhost' ? [url.origin] : [];
    } catch {
      return [];
    }
  });
}

export function allowedOrigins(provider: ProviderSpec, clients: ClientSpec[]): string[] {
  return [...provider.cors.allowedOrigins, ...(provider.cors.allowedOriginsFromClientRedirectUris ? redirectOrigins(clients) : [])];
}

/** Origins to probe with: one the configuration allows, one it does not, an http one. */
export function probeOrigins(provider: ProviderSpec, clients: ClientSpec[]): Origins {
  const list = allowedOrigins(provider, clients).filter((o) => o !== '*');
  return { allowed: list[0] ?? 'https://app.example.com', disallowed: 'https://evil.example.net', http: 'http://app.example.com' };
}

/** The expected answer to a request from `origin` (undefined: no Origin header), or the reason
 *  there is none: neither the configuration nor the profile's provider says what it is. */
export function expectedCors(endpoint: CorsEndpoint, origin: string | undefined, basis: CorsBasis): Expectation | string {
  const { provider, clients, behaviour } = basis;
  const documented = behaviour?.cors;
  const src = provider.sources;
  if (!origin) {
    return documented?.noHeadersWithoutOrigin
      ? { allowOrigin: null, credentials: false, source: `${behaviour!.label}: CORS is answered only to requests with an Origin header` }
      : 'neither the standard nor the configuration says what a request without Origin gets, and the profile names no provider that documents it';
  }
  if ((OPEN_ENDPOINTS as readonly string[]).includes(endpoint)) {
    return documented?.openEndpointsWildcard
      ? { allowOrigin: '*', credentials: false, source: `${behaviour!.label}: discovery and JWKS answer Access-Control-Allow-Origin: * to every origin` }
      : `the cors options configure nothing for ${endpoint}, and the profile names no provider that documents its CORS answer`;
  }
  const endpointsSource = src['cors.endpoints'] ?? 'cors.endpoints';
  if (isDefaultSource(src['cors.endpoints']) && !behaviour?.configurationDefaults) return `cors.endpoints is not set in the configuration (${endpointsSource}), and the profile names no provider whose default to expect`;
  if (!provider.cors.endpoints.includes(endpoint)) return { allowOrigin: null, credentials: false, source: `${endpointsSource} (does not list ${endpoint})` };
  const list = allowedOrigins(provider, clients);
  const listSource = `${src['cors.allowedOrigins'] ?? 'cors.allowed_origins'}; ${src['cors.allowedOriginsFromClientRedirectUris'] ?? 'cors.allowed_origins_from_client_redirect_uris'}`;
  let allowOrigin: string | null;
  let source = listSource;
  if (list.includes('*')) allowOrigin = '*';
  else if (list.length) allowOrigin = list.includes(origin) ? origin : null;
  else if (documented?.anyHttpsWhenUnlisted) {
    allowOrigin = origin.startsWith('https://') ? origin : null;
    source = `${listSource} (none configured: ${behaviour!.label} allows any https origin)`;
  } else return `no allowed origin is configured (${listSource}), and the profile names no provider that documents what that means`;
  const credentials = allowOrigin !== null && allowOrigin !== '*' && (documented?.credentialsOn.includes(endpoint) ?? false);
  return { allowOrigin, credentials, source: credentials ? `${source}; ${behaviour!.label}: ${endpoint} sends Access-Control-Allow-Credentials` : source };
}

export interface Probe {
  kind: 'preflight' | 'actual';
  originKind: OriginKind;
  origin: string | undefined;
  /** The method the actual request uses (asked for in the preflight). */
  method: string;
  /** Headers the actual request sends that a preflight must allow. */
  headers: string[];
  response: RawResponse;
}

export interface MatrixRow {
  request: string;
  origin: string;
  /** The answer's HTTP status: whose CORS headers were judged (an error's, or the real answer's). */
  status: number;
  expected: string;
  observed_allow_origin: string;
  credentials: string;
  vary_origin: string;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

function shown(value: string | null | undefined): string {
  return value === null || value === undefined ? 'absent' : JSON.stringify(value);
}

/** The probes and what was expected of each, as a table for the report. */
export function matrix(endpoint: CorsEndpoint, probes: Probe[], basis: CorsBasis): MatrixRow[] {
  return probes.map((probe) => {
    const e = expectedCors(endpoint, probe.origin, basis);
    const h = probe.response.headers;
    return {
      request: probe.kind === 'preflight' ? `OPTIONS (for ${probe.method})` : probe.method,
      origin: `${probe.originKind}${probe.origin ? ` ${probe.origin}` : ''}`,
      status: probe.response.status,
      expected: typeof e === 'string' ? '(no expectation)' : e.allowOrigin === null ? '(absent)' : `${e.allowOrigin}${e.credentials ? ' + credentials' : ''}`,
      observed_allow_origin: h['access-control-allow-origin'] ?? '(absent)',
      credentials: h['access-control-allow-credentials'] ?? '(absent)',
      vary_origin: list(h.vary).includes('origin') ? 'yes' : 'no',
    };
  });
}

const ORIGIN_KINDS: Record<Exclude<CorsRequirement, 'credentials' | 'vary'>, OriginKind[]> = {
  'allowed-origin': ['allowed'],
  'disallowed-origin': ['disallowed', 'http'],
  'no-origin': ['none'],
};

/** Problems of one probe against the Allow-Origin expectation (and, when let in, the preflight's
 *  methods and headers). */
function originProblems(probe: Probe, e: Expectation): string[] {
  const h = probe.response.headers;
  const acao = h['access-control-allow-origin'] ?? null;
  const problems: string[] = [];
  if (acao !== e.allowOrigin) problems.push(`Access-Control-Allow-Origin ${shown(acao)}, expected ${shown(e.allowOrigin)}`);
  if (acao !== null && e.allowOrigin !== null && probe.kind === 'preflight') {
    const methods = list(h['access-control-allow-methods']);
    if (!methods.includes(probe.method.toLowerCase()) && !methods.includes('*')) problems.push(`Access-Control-Allow-Methods ${JSON.stringify(h['access-control-allow-methods'] ?? '')} lacks ${probe.method}`);
    const allowedHeaders = list(h['access-control-allow-headers']);
    const missing = probe.headers.filter((x) => !allowedHeaders.includes(x.toLowerCase()) && !allowedHeaders.includes('*'));
    if (missing.length) problems.push(`Access-Control-Allow-Headers lacks ${missing.join(', ')}`);
  }
  return problems;
}

/** Problems with Access-Control-Allow-Credentials: never with `*` (a browser refuses it), and
 *  present where the provider documents it. */
function credentialProblems(probe: Probe, e: Expectation | string): string[] {
  const h = probe.response.headers;
  const acao = h['access-control-allow-origin'];
  const acac = h['access-control-allow-credentials'];
  if (acao === '*' && acac === 'true') return ['Access-Control-Allow-Credentials: true with Access-Control-Allow-Origin: *'];
  if (typeof e !== 'string' && e.credentials && acao === e.allowOrigin && acac !== 'true') return [`Access-Control-Allow-Credentials is ${shown(acac)}, expected "true"`];
  return [];
}

/** Vary: Origin where the answer depends on the origin: the Allow-Origin values differ between
 *  origins, or one echoes the request's origin. */
function varyProblems(probes: Probe[]): string[] {
  const problems: string[] = [];
  for (const kind of ['preflight', 'actual'] as const) {
    const some = probes.filter((p) => p.kind === kind);
    const values = some.map((p) => p.response.headers['access-control-allow-origin'] ?? null);
    const echoes = some.some((p) => p.origin !== undefined && p.response.headers['access-control-allow-origin'] === p.origin);
    if (new Set(values).size < 2 && !echoes) continue;
    const without = some.filter((p) => p.response.headers['access-control-allow-origin'] !== undefined && !list(p.response.headers.vary).includes('origin') && !list(p.response.headers.vary).includes('*'));
    if (without.length) problems.push(`${kind}: the Allow-Origin answer depends on Origin (${values.map(shown).join(', ')}) but Vary lacks Origin for ${without.map((p) => `${p.originKind} origin`).join(', ')}`);
  }
  return problems;
}

/** One requirement over the endpoint's probes: passes with the matrix as evidence, fails naming
 *  each probe that breaks it, skips when nothing says what to expect. */
export function checkCorsRequirement(endpoint: CorsEndpoint, requirement: CorsRequirement, probes: Probe[], basis: CorsBasis): MatrixRow[] {
  const rows = matrix(endpoint, probes, basis);
  const failures: Array<{ probe: Probe; problems: string[]; source: string; expected?: string | null }> = [];
  if (requirement === 'vary') {
    const problems = varyProblems(probes);
    if (problems.length) fail({ message: `${endpoint} endpoint: ${problems.join('; ')}`, source: 'Fetch §3.2.5; RFC 9110 §12.5.5', expected: 'Vary: Origin', observed: probes.map((p) => `${p.kind} ${p.originKind}: Vary ${shown(p.response.headers.vary)}`), evidence: [{ label: `CORS matrix for ${endpoint}`, data: rows }, ...probes.filter((p) => p.originKind === 'allowed').map((p) => ({ label: `${p.kind} from allowed origin`, http: p.response.exchange }))] });
    return rows;
  }
  if (requirement === 'credentials') {
    for (const probe of probes) {
      const e = expectedCors(endpoint, probe.origin, basis);
      const problems = credentialProblems(probe, e);
      if (problems.length) failures.push({ probe, problems, source: typeof e === 'string' ? 'Fetch §3.2.5: credentials are never allowed with *' : e.source });
    }
  } else {
    const mine = probes.filter((p) => ORIGIN_KINDS[requirement].includes(p.originKind));
    const reasons: string[] = [];
    for (const probe of mine) {
      const e = expectedCors(endpoint, probe.origin, basis);
      if (typeof e === 'string') {
        reasons.push(e);
        continue;
      }
      const problems = originProblems(probe, e);
      if (problems.length) failures.push({ probe, problems, source: e.source, expected: e.allowOrigin });
    }
    if (failures.length === 0 && reasons.length === mine.length && reasons.length) skip(reasons[0]!);
  }
  if (failures.length === 0) return rows;
  return fail({
    message: `${endpoint} endpoint: ${failures.map((f) => `${f.probe.kind} from ${f.probe.originKind} origin (HTTP ${f.probe.response.status}): ${f.problems.join(', ')}`).join('; ')}`,
    source: failures[0]!.source,
    expected: Object.fromEntries(failures.map((f) => [`${f.probe.kind} ${f.probe.originKind}`, f.expected === undefined ? 'see the message' : (f.expected ?? '(absent)')])),
    observed: Object.fromEntries(failures.map((f) => [`${f.probe.kind} ${f.probe.originKind}`, { 'access-control-allow-origin': f.probe.response.headers['access-control-allow-origin'] ?? '(absent)', 'access-control-allow-credentials': f.probe.response.headers['access-control-allow-credentials'] ?? '(absent)' }])),
    evidence: [{ label: `CORS matrix for ${endpoint}`, data: rows }, ...failures.slice(0, 2).map((f) => ({ label: `${f.probe.kind} from ${f.probe.originKind} origin`, http: f.probe.response.exchange }))],
  });
}
