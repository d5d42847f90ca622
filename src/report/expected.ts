// A checked-in verdict file for a provider that is known not to pass everything (glewlwyd): the
// run is judged by whether each verdict is still what it was, so CI notices a regression and an
// improvement alike. Keys are `<check id>` or `<check id> [<client>]`; values are outcomes.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { CheckResult, Outcome } from '../model/check.ts';
import { OUTCOMES, verdictKey } from '../model/check.ts';

export type Verdicts = Record<string, Outcome>;

export interface VerdictChange {
  key: string;
  expected: Outcome | '(absent)';
  observed: Outcome | '(absent)';
}


export function verdictsOf(results: CheckResult[]): Verdicts {
  const out: Verdicts = {};
  for (const r of [...results].sort((a, b) => verdictKey(a).localeCompare(verdictKey(b)))) out[verdictKey(r)] = r.outcome;
  return out;
}

export function compareVerdicts(expected: Verdicts, results: CheckResult[]): VerdictChange[] {
  const observed = verdictsOf(results);
  const changes: VerdictChange[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(observed)])) {
    const e = expected[key] ?? '(absent)';
    const o = observed[key] ?? '(absent)';
    if (e !== o) changes.push({ key, expected: e, observed: o });
  }
  return changes.sort((a, b) => a.key.localeCompare(b.key));
}

export class ExpectedResultsError extends Error {}

/** The changes a run is judged by (the CLI's exit code, the summary's verdict): with `filtered`
 *  (only some checks ran: --grep), a check that did not run is not a change. */
export function judgedChanges(expected: Verdicts, results: CheckResult[], filtered: boolean): VerdictChange[] {
  return compareVerdicts(expected, results).filter((c) => !filtered || c.observed !== '(absent)');
}

export function readVerdicts(file: string): Verdicts {
  if (!existsSync(file)) throw new ExpectedResultsError(`${file}: not found (write it with --update-expected)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ExpectedResultsError(`${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const verdicts = (json as { verdicts?: unknown }).verdicts;
  if (!verdicts || typeof verdicts !== 'object') throw new ExpectedResultsError(`${file}: verdicts: expected an object of "<check id> [<client>]": outcome`);
  for (const [k, v] of Object.entries(verdicts)) {
    if (!(OUTCOMES as readonly string[]).includes(String(v))) throw new ExpectedResultsError(`${file}: verdicts.${k}: not an outcome: ${String(v)}`);
  }
  return verdicts as Verdicts;
}

/** One-line reasons kept beside the verdicts (`reasons: { "<key>": "why this is the provider's" }`),
 *  for every verdict that is not a pass: a reviewer reads why each failure is expected. */
export function readReasons(file: string): Record<string, string> {
  try {
    const reasons = (JSON.parse(readFileSync(file, 'utf8')) as { reasons?: unknown }).reasons;
    return reasons && typeof reasons === 'object' ? Object.fromEntries(Object.entries(reasons).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  } catch {
    return {};
  }
}

export function writeVerdicts(file: string, target: string, results: CheckResult[]): void {
  const verdicts = verdictsOf(results);
  // Reasons written by people are kept while their verdict is still not a pass.
  const old = existsSync(file) ? readReasons(file) : {};
  const reasons = Object.fromEntries(Object.entries(old).filter(([k]) => verdicts[k] !== undefined && verdicts[k] !== 'passed'));
  const body = { about: `Verdicts of every check against ${target} as they stand; a run that differs fails. Rewrite with: npm run conformance -- --target <folder> --update-expected`, verdicts, ...(Object.keys(reasons).length ? { reasons } : {}) };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}

export function formatChanges(changes: VerdictChange[], file: string): string {
  return [`${changes.length} verdict(s) differ from ${file}:`, ...changes.map((c) => `  ${c.key}: expected ${c.expected}, observed ${c.observed}`)].join('\n');
}
