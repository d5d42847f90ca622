// Server errors under concurrency (RFC 9110 §15.6): a provider that answers 5xx when requests
// arrive together fails relying parties at their busiest, and makes every parallel check's setup
// an error. This check sends a bounded burst on purpose and reports what broke as its own finding.

import type { CheckDef, Evidence } from '../model/check.ts';
import type { RawResponse } from '../http/exchange.ts';
import { fail } from './verdict.ts';

export const concurrencyChecks = {
  burst: { id: 'provider.concurrency', title: 'a burst of parallel authorizations, token and userinfo requests gets no server error', severity: 'failure', spec: 'RFC 9110 §15.6 (5xx: the server failed to fulfil a valid request)' },
} satisfies Record<string, CheckDef>;

/** Parallel requests of the burst: how many were sent per step. */
export const BURST = 10;

/** One request of the burst: its step and what came back (a response, or the error that ended it). */
export interface BurstOutcome {
  step: 'authorization' | 'token' | 'userinfo';
  response?: RawResponse;
  error?: string;
}

/** Fails when any request of the burst got a 5xx or no answer; passes with a count per step. */
export function checkBurst(outcomes: BurstOutcome[]): Evidence[] {
  const broken = outcomes.filter((o) => o.error !== undefined || (o.response && o.response.status >= 500));
  const counts = Object.fromEntries((['authorization', 'token', 'userinfo'] as const).map((step) => {
    const mine = outcomes.filter((o) => o.step === step);
    return [step, `${mine.length - mine.filter((o) => broken.includes(o)).length}/${mine.length} answered without a server error`];
  }));
  if (broken.length === 0) return [{ label: `${BURST} requests at once per step`, data: counts }];
  return fail({
    message: `${broken.length} of ${outcomes.length} requests sent ${BURST} at a time got a server error or no answer (${broken.map((b) => `${b.step}: ${b.error ?? `HTTP ${b.response!.status}`}`).slice(0, 4).join('; ')})`,
    source: 'RFC 9110 §15.6',
    expected: 'no 5xx and no dropped connection',
    observed: counts,
    evidence: broken.slice(0, 3).flatMap((b): Evidence[] => (b.response ? [{ label: `${b.step} under concurrency`, http: b.response.exchange }] : [{ label: `${b.step} under concurrency`, data: b.error }])),
  });
}
