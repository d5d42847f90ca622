// How a check says no: a CheckFailure carries the one-line message, the source of the expectation,
// expected vs observed and the HTTP evidence; a CheckSkipped says why the check could not apply.
// A failure met while a check sets itself up is tagged with the check that owns that step (its
// prerequisite): the owner reports it failed, every other check reports itself blocked by it. A
// server error, timeout or dropped connection in a setup step is a ProviderError: an `error`
// outcome, never a requirement failure with a made-up reason.

import { verdictKey, type CheckDef, type CheckResult, type Evidence } from '../model/check.ts';
import { HttpError, type RawResponse } from '../http/exchange.ts';

export interface FailureDetail {
  message: string;
  source?: string;
  expected?: unknown;
  observed?: unknown;
  evidence?: Evidence[];
  /** `error-code`: refused as required, but with another error code than the standard lists. A
   *  warning, unless the profile's provider documents exact codes (then a failure). */
  kind?: 'error-code';
}

/** The check (and client) whose requirement a setup step is: `code.exchange [rustdesk]`. */
export interface Prerequisite {
  id: string;
  client?: string;
}

export class CheckFailure extends Error {
  readonly detail: FailureDetail;
  readonly prerequisite: Prerequisite | undefined;
  constructor(detail: FailureDetail, prerequisite?: Prerequisite) {
    super(detail.message);
    this.detail = detail;
    this.prerequisite = prerequisite;
  }
}

export class CheckSkipped extends Error {}

/** The harness could not bring the provider to what the check needs, for a reason it cannot pin
 *  on the provider (its login driver recognised none of the pages shown): an error outcome with
 *  the evidence, never a requirement verdict. */
export class CannotTell extends Error {
  readonly detail: FailureDetail;
  constructor(detail: FailureDetail) {
    super(detail.message);
    this.detail = detail;
  }
}

/** The provider answered 5xx, timed out or dropped the connection during a setup step. */
export class ProviderError extends Error {
  readonly detail: FailureDetail;
  constructor(detail: FailureDetail) {
    super(detail.message);
    this.detail = detail;
  }
}

/** Runs a setup step that is the requirement of check `p`: its failures are tagged with `p` (so
 *  other checks report themselves blocked by it), a failure already tagged keeps its tag. */
export async function asPrerequisite<T>(p: Prerequisite, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof CheckFailure && !err.prerequisite) throw new CheckFailure(err.detail, p);
    throw err;
  }
}

/** Throws a ProviderError when a setup step's response is a server error. */
export function expectNoServerError(res: RawResponse, label: string): void {
  if (res.status < 500) return;
  throw new ProviderError({ message: `${label} answered HTTP ${res.status}${oauthError(res) ? ` ${oauthError(res)}` : ''} (a server error while the check set itself up)`, observed: describeResponse(res), evidence: http(label, res) });
}

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
  // A server error neither refuses nor accepts: the check cannot tell (an error outcome, never
  // "accepted"; a provider whose endpoint answers 500 to everything is one root cause, not a
  // row of acceptances).
  if (res.status >= 500) {
    throw new ProviderError({ message: `${detail.label} answered HTTP ${res.status}${oauthError(res) ? ` ${oauthError(res)}` : ''} where a refusal was due (a server error: neither a refusal nor an acceptance)`, expected: `HTTP 4xx${errors.length ? ` with error ${errors.join(' or ')}` : ''}`, observed: describeResponse(res), evidence: [...(detail.evidence ?? []), ...http(detail.label, res)] });
  }
  const code = oauthError(res);
  const isRefusal = res.status >= 400 && res.status < 500;
  if (isRefusal && (errors.length === 0 || (code !== undefined && errors.includes(code)))) return;
  fail({
    // A refusal with another error code is a different defect than an acceptance: say which.
    ...(isRefusal ? { kind: 'error-code' as const } : {}),
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

export interface Verdict {
  outcome: Exclude<CheckResult['outcome'], 'passed'>;
  detail: FailureDetail;
  blockedBy?: string;
}

/** The outcome of a check body that threw `err`. Pure, so each mapping is tested. */
export function outcomeOf(err: unknown, def: CheckDef, client?: { id: string }, options: { exactErrorCodes?: boolean } = {}): Verdict {
  if (err instanceof CheckSkipped) return { outcome: 'skipped', detail: { message: err.message } };
  if (err instanceof CheckFailure) {
    const own = verdictKey({ id: def.id, client: client?.id });
    const by = err.prerequisite ? verdictKey(err.prerequisite) : undefined;
    if (by && by !== own) return { outcome: 'blocked', blockedBy: by, detail: { ...err.detail, message: `blocked by ${by}: ${err.detail.message}` } };
    const lenient = err.detail.kind === 'error-code' && !options.exactErrorCodes;
    return { outcome: def.severity === 'warning' || lenient ? 'warning' : 'failed', detail: err.detail };
  }
  if (err instanceof ProviderError || err instanceof CannotTell) return { outcome: 'error', detail: err.detail };
  if (err instanceof HttpError) return { outcome: 'error', detail: { message: `no answer: ${err.message}`, evidence: [{ label: 'request', http: err.exchange }] } };
  // Not the provider's verdict: the harness itself broke.
  const text = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return { outcome: 'error', detail: { message: `the harness could not run ${def.id}: ${text}` } };
}
