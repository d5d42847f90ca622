// How a check says no: a CheckFailure carries the one-line message, the source of the expectation,
// expected vs observed and the HTTP evidence; a CheckSkipped says why the check could not apply.

import type { Evidence } from '../model/check.ts';
import type { RawResponse } from '../http/exchange.ts';

export interface FailureDetail {
  message: string;
  source?: string;
  expected?: unknown;
  observed?: unknown;
  evidence?: Evidence[];
}

export class CheckFailure extends Error {
  constructor(readonly detail: FailureDetail) {
    super(detail.message);
  }
}

export class CheckSkipped extends Error {}

export function fail(detail: FailureDetail): never {
  throw new CheckFailure(detail);
}

export function skip(reason: string): never {
  throw new CheckSkipped(reason);
}

export function http(label: string, res: RawResponse | undefined): Evidence[] {
  return res ? [{ label, http: res.exchange }] : [];
}

/** The OAuth error code of a JSON error response, if any. */
export function oauthError(res: RawResponse): string | undefined {
  const json = res.json as { error?: unknown } | undefined;
  return typeof json?.error === 'string' ? json.error : undefined;
}

export function describeResponse(res: RawResponse): string {
  const err = oauthError(res);
  return `HTTP ${res.status}${err ? ` ${err}` : ''}`;
}

/** Fails unless the response is a refusal: 4xx with one of `errors` (any error code when empty). */
export function expectRefusal(res: RawResponse, errors: string[], detail: Omit<FailureDetail, 'observed' | 'expected'> & { label: string }): void {
  const code = oauthError(res);
  const isRefusal = res.status >= 400 && res.status < 500;
  if (isRefusal && (errors.length === 0 || (code !== undefined && errors.includes(code)))) return;
  fail({
    // A refusal with another error code is a different defect than an acceptance: say which.
    message: isRefusal ? `refused as expected, but with ${code ?? `HTTP ${res.status} and no error code`} instead of ${errors.join(' or ')}` : detail.message,
    ...(detail.source ? { source: detail.source } : {}),
    expected: `HTTP 4xx${errors.length ? ` with error ${errors.join(' or ')}` : ''}`,
    observed: describeResponse(res),
    evidence: [...(detail.evidence ?? []), ...http(detail.label, res)],
  });
}

/** Fails unless the response is 200 with a JSON object body; returns that object. */
export function expectJson200(res: RawResponse, detail: { message: string; source?: string; label: string }): Record<string, unknown> {
  const json = res.json;
  if (res.status === 200 && json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  return fail({
    message: detail.message,
    ...(detail.source ? { source: detail.source } : {}),
    expected: 'HTTP 200 with a JSON object',
    observed: describeResponse(res),
    evidence: http(detail.label, res),
  });
}
