// CORS per endpoint, derived from `identity_providers.oidc.cors`: for preflight and actual
// requests, from an allowed origin, a disallowed one, an http one and none, the exact
// Access-Control-Allow-Origin (or its absence), Vary: Origin, the allowed method and headers, and
// Allow-Credentials where Authelia documents it.

import type { CheckDef } from '../model/check.ts';
import type { ClientSpec, ProviderSpec } from '../model/target.ts';
import type { RawResponse } from '../http/exchange.ts';
import { fail } from './verdict.ts';

/** Endpoints Authelia always opens (discovery, JWKS) and those `cors.endpoints` may open. */
export const OPEN_ENDPOINTS = ['discovery', 'jwks'] as const;
export const LISTABLE_ENDPOINTS = ['authorization', 'token', 'revocation', 'introspection', 'userinfo'] as const;
export type CorsEndpoint = (typeof OPEN_ENDPOINTS)[number] | (typeof LISTABLE_ENDPOINTS)[number];
const WITH_CREDENTIALS = new Set<CorsEndpoint>(['token', 'userinfo', 'introspection']);

export function corsCheck(endpoint: CorsEndpoint): CheckDef {
  return { id: `cors.${endpoint}`, title: `CORS headers of the ${endpoint} endpoint follow the cors configuration`, severity: 'failure', spec: 'Fetch §3.2 (CORS protocol); Authelia identity_providers.oidc.cors' };
}

export type OriginKind = 'allowed' | 'disallowed' | 'http' | 'none';

export interface Expectation {
  /** Exact Access-Control-Allow-Origin, or null for absent. */
  allowOrigin: string | null;
  credentials: boolean;
  source: string;
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

export function expectedCors(endpoint: CorsEndpoint, origin: string | undefined, provider: ProviderSpec, clients: ClientSpec[]): Expectation {
  const src = provider.sources;
  if (!origin) return { allowOrigin: null, credentials: false, source: 'Authelia answers CORS only to requests with an Origin header' };
  if ((OPEN_ENDPOINTS as readonly string[]).includes(endpoint)) return { allowOrigin: '*', credentials: false, source: 'Authelia: discovery and JWKS answer Access-Control-Allow-Origin: * to every origin' };
  if (!provider.cors.endpoints.includes(endpoint)) {
    return { allowOrigin: null, credentials: false, source: `${src['cors.endpoints'] ?? 'cors.endpoints'} (does not list ${endpoint})` };
  }
  const list = allowedOrigins(provider, clients);
  const listSource = `${src['cors.allowedOrigins'] ?? 'cors.allowed_origins'}; ${src['cors.allowedOriginsFromClientRedirectUris'] ?? 'cors.allowed_origins_from_client_redirect_uris'}`;
  let allowOrigin: string | null;
  if (list.includes('*')) allowOrigin = '*';
  else if (list.length) allowOrigin = list.includes(origin) ? origin : null;
  else allowOrigin = origin.startsWith('https://') ? origin : null;
  const source = list.length ? listSource : `${listSource} (none configured: any https origin is allowed)`;
  return { allowOrigin, credentials: allowOrigin !== null && allowOrigin !== '*' && WITH_CREDENTIALS.has(endpoint), source };
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
  expected: string;
  observed_allow_origin: string;
  credentials: string;
  vary_origin: string;
  verdict: string;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

/** Every problem with one probe's answer. */
export function probeProblems(probe: Probe, e: Expectation): string[] {
  const h = probe.response.headers;
  const acao = h['access-control-allow-origin'] ?? null;
  const problems: string[] = [];
  if (acao !== e.allowOrigin) problems.push(`Access-Control-Allow-Origin ${acao === null ? 'absent' : JSON.stringify(acao)}, expected ${e.allowOrigin === null ? 'absent' : JSON.stringify(e.allowOrigin)}`);
  const acac = h['access-control-allow-credentials'];
  if (acao !== null && e.allowOrigin !== null) {
    if (e.credentials && acac !== 'true') problems.push('Access-Control-Allow-Credentials missing');
    if (acao === '*' && acac === 'true') problems.push('Allow-Credentials with a wildcard origin');
    if (acao !== '*' && !list(h.vary).includes('origin') && !list(h.vary).includes('*')) problems.push('Vary lacks Origin although the answer depends on it');
    if (probe.kind === 'preflight') {
      const methods = list(h['access-control-allow-methods']);
      if (!methods.includes(probe.method.toLowerCase()) && !methods.includes('*')) problems.push(`Access-Control-Allow-Methods ${JSON.stringify(h['access-control-allow-methods'] ?? '')} lacks ${probe.method}`);
      const allowedHeaders = list(h['access-control-allow-headers']);
      const missing = probe.headers.filter((x) => !allowedHeaders.includes(x.toLowerCase()) && !allowedHeaders.includes('*'));
      if (missing.length) problems.push(`Access-Control-Allow-Headers lacks ${missing.join(', ')}`);
    }
  } else if (acac === 'true' && acao === null) {
    // Harmless without an allowed origin; not a failure.
  }
  return problems;
}

export function matrixRow(probe: Probe, e: Expectation, problems: string[]): MatrixRow {
  const h = probe.response.headers;
  return {
    request: `${probe.kind === 'preflight' ? `OPTIONS (for ${probe.method})` : probe.method}`,
    origin: `${probe.originKind}${probe.origin ? ` ${probe.origin}` : ''}`,
    expected: e.allowOrigin === null ? '(absent)' : `${e.allowOrigin}${e.credentials ? ' + credentials' : ''}`,
    observed_allow_origin: h['access-control-allow-origin'] ?? '(absent)',
    credentials: h['access-control-allow-credentials'] ?? '(absent)',
    vary_origin: list(h.vary).includes('origin') ? 'yes' : 'no',
    verdict: problems.length ? problems.join('; ') : 'ok',
  };
}

export function checkCors(endpoint: CorsEndpoint, probes: Probe[], provider: ProviderSpec, clients: ClientSpec[]): MatrixRow[] {
  const rows: MatrixRow[] = [];
  const failures: Array<{ probe: Probe; problems: string[]; e: Expectation }> = [];
  for (const probe of probes) {
    const e = expectedCors(endpoint, probe.origin, provider, clients);
    const problems = probeProblems(probe, e);
    rows.push(matrixRow(probe, e, problems));
    if (problems.length) failures.push({ probe, problems, e });
  }
  if (failures.length === 0) return rows;
  const first = failures[0]!;
  return fail({
    message: `${endpoint} endpoint: ${failures.map((f) => `${f.probe.kind} from ${f.probe.originKind} origin: ${f.problems.join(', ')}`).join('; ')}`,
    source: first.e.source,
    expected: Object.fromEntries(failures.map((f) => [`${f.probe.kind} ${f.probe.originKind}`, f.e.allowOrigin ?? '(absent)'])),
    observed: Object.fromEntries(failures.map((f) => [`${f.probe.kind} ${f.probe.originKind}`, f.probe.response.headers['access-control-allow-origin'] ?? '(absent)'])),
    evidence: [{ label: `CORS matrix for ${endpoint}`, data: rows }, ...failures.slice(0, 2).map((f) => ({ label: `${f.probe.kind} from ${f.probe.originKind} origin`, http: f.probe.response.exchange }))],
  });
}
