// Error responses of the token, introspection and revocation endpoints (RFC 6749 §5.2, RFC 7662
// §2.3, RFC 7009 §2.2.1): JSON with a string error, and a 401 with WWW-Authenticate when the client
// authenticated through the Authorization header. Relying parties parse these bodies by their
// Content-Type: golang.org/x/oauth2 (internal/token.go) reads a text/plain or form-encoded body as
// a query string, so a JSON error served as text/plain loses its error code.

import type { CheckDef, Evidence } from '../model/check.ts';
import type { RawResponse } from '../http/exchange.ts';
import { fail, http, skip } from './verdict.ts';

export const tokenErrorChecks = {
  json: { id: 'token-errors.json', title: 'error responses of token, introspection and revocation are application/json with a string error', severity: 'failure', spec: 'RFC 6749 §5.2; RFC 7662 §2.3; RFC 7009 §2.2.1' },
  wwwAuthenticate: { id: 'token-errors.www-authenticate', title: 'invalid_client after Basic authentication is a 401 with WWW-Authenticate: Basic', severity: 'failure', spec: 'RFC 6749 §5.2 (MUST)' },
} satisfies Record<string, CheckDef>;

export type ErrorEndpoint = 'token' | 'introspection' | 'revocation';

/** One request the check sent that the endpoint should answer with an error. */
export interface ErrorSample {
  endpoint: ErrorEndpoint;
  /** What was wrong with the request: 'wrong secret (Basic)', 'unknown code', ... */
  what: string;
  /** Whether the client authenticated through the Authorization header (Basic). */
  basicAuth: boolean;
  res: RawResponse;
}

const BASIS: Record<ErrorEndpoint, string> = {
  token: 'RFC 6749 §5.2',
  introspection: 'RFC 7662 §2.3 (errors as RFC 6749 §5.2)',
  revocation: 'RFC 7009 §2.2.1 (errors as RFC 6749 §5.2)',
};

const label = (s: ErrorSample) => `${s.endpoint} (${s.what})`;

/** The media type of a Content-Type header, lower case, without parameters. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** What is wrong with an error response's format; empty when it is JSON with a string error. */
export function errorFormatProblems(res: RawResponse): string[] {
  const problems: string[] = [];
  const type = mediaType(res.headers['content-type']);
  if (type !== 'application/json') problems.push(`Content-Type ${JSON.stringify(res.headers['content-type'] ?? '(absent)')}, not application/json`);
  const json = res.json;
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    problems.push('the body is not a JSON object');
    return problems;
  }
  const body = json as Record<string, unknown>;
  if (typeof body.error !== 'string' || body.error === '') problems.push(`error is ${body.error === undefined ? 'missing' : JSON.stringify(body.error)}, not a string`);
  if (body.error_description !== undefined && typeof body.error_description !== 'string') problems.push('error_description is not a string');
  return problems;
}

/** Only error answers are judged: a request the provider accepted is some other check's business. */
function errorSamples(samples: ErrorSample[]): { judged: ErrorSample[]; notErrors: Evidence[] } {
  const judged = samples.filter((s) => s.res.status >= 400);
  const notErrors = samples.filter((s) => s.res.status < 400).map((s) => ({ label: `${label(s)}: answered HTTP ${s.res.status}, not an error, so not judged here` }));
  return { judged, notErrors };
}

/** token-errors.json */
export function checkErrorFormat(samples: ErrorSample[]): Evidence[] {
  const { judged, notErrors } = errorSamples(samples);
  if (judged.length === 0) skip('none of the requests sent was answered with an error');
  const bad = judged.map((s) => ({ s, problems: errorFormatProblems(s.res) })).filter((x) => x.problems.length > 0);
  const table = judged.map((s) => ({ request: label(s), status: s.res.status, content_type: s.res.headers['content-type'] ?? '(absent)', error: (s.res.json as { error?: unknown } | undefined)?.error ?? '(none)' }));
  if (bad.length === 0) return [{ label: 'error responses', data: table }, ...notErrors];
  const endpoints = [...new Set(bad.map((x) => x.s.endpoint))];
  return fail({
    message: `error responses not served as JSON: ${bad.map((x) => `${label(x.s)}: ${x.problems.join(', ')}`).join('; ')}. Relying parties pick the parser by Content-Type (golang.org/x/oauth2 reads text/plain as a form and loses the error code)`,
    source: `${endpoints.map((e) => BASIS[e]).join('; ')}: the error response uses the application/json media type with a string "error" member`,
    expected: 'Content-Type application/json; body {"error": "<code>", ...}',
    observed: Object.fromEntries(bad.map((x) => [label(x.s), x.problems])),
    evidence: [{ label: 'error responses', data: table }, ...bad.flatMap((x) => http(label(x.s), x.s.res)), ...notErrors],
  });
}

/** token-errors.www-authenticate: applies to requests that authenticated with Basic and were refused as invalid_client (or with 401). */
export function checkWwwAuthenticate(samples: ErrorSample[]): Evidence[] {
  const applicable = samples.filter((s) => s.basicAuth && (s.res.status === 401 || (s.res.json as { error?: unknown } | undefined)?.error === 'invalid_client'));
  if (applicable.length === 0) skip('no request authenticated with Basic was refused as invalid_client');
  const rows = applicable.map((s) => {
    const www = s.res.headers['www-authenticate'];
    const problems: string[] = [];
    if (s.res.status !== 401) problems.push(`HTTP ${s.res.status}, not 401`);
    if (!www) problems.push('no WWW-Authenticate');
    else if (!/^\s*basic\b/i.test(www) && !/,\s*basic\b/i.test(www)) problems.push(`WWW-Authenticate ${JSON.stringify(www)} does not name the Basic scheme`);
    return { s, www, problems };
  });
  const table = rows.map((r) => ({ request: label(r.s), status: r.s.res.status, 'www-authenticate': r.www ?? '(absent)' }));
  const bad = rows.filter((r) => r.problems.length > 0);
  if (bad.length === 0) return [{ label: 'invalid_client answers to Basic authentication', data: table }];
  return fail({
    message: `invalid_client after Basic authentication: ${bad.map((r) => `${label(r.s)}: ${r.problems.join(', ')}`).join('; ')}`,
    source: 'RFC 6749 §5.2: if the client attempted to authenticate via the Authorization header, the server MUST respond with HTTP 401 and include WWW-Authenticate matching the scheme used (RFC 7662 §2.3 and RFC 7009 §2.2.1 refer to it)',
    expected: 'HTTP 401, WWW-Authenticate: Basic ...',
    observed: Object.fromEntries(bad.map((r) => [label(r.s), { status: r.s.res.status, 'www-authenticate': r.www ?? '(absent)' }])),
    evidence: [{ label: 'invalid_client answers to Basic authentication', data: table }, ...bad.flatMap((r) => http(label(r.s), r.s.res))],
  });
}
