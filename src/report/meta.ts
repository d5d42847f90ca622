// Run-level data shared by the three report formats.

import type { CheckResult, Outcome } from '../model/check.ts';
import { OUTCOMES, verdictKey } from '../model/check.ts';

export interface RunMeta {
  target: string;
  issuer?: string;
  profileFile: string;
  startedAt: string;
  finishedAt: string;
  harnessVersion: string;
  /** The JavaScript runtime the checks ran on, e.g. "Node.js v24.21.0" (process.version of the
   *  reporter's process, which Playwright's workers share). */
  runtime?: string;
  claimsProfile?: string;
  /** The image under test, for container targets (a release certification names its build). */
  image?: string;
  notes?: string[];
  /** Where the run's time went (ISO times): the suites loaded, the first check started, the last
   *  check ended; the rest of startedAt..finishedAt is starting the provider and workers. */
  timeline?: { suitesLoadedAt: string; firstCheckAt?: string; lastCheckEndedAt?: string };
  /** The target's expected-results file, when the run is judged against it (the CLI's exit code
   *  is then 1 only for a changed verdict), as the CLI hands it over: `file` as shown, `path` to
   *  read it, `filtered` when only some checks ran (--grep), `updating` when --update-expected
   *  rewrites it from this run (exit 0). The reporter adds `changes`, the verdicts that differ. */
  expected?: { file: string; path: string; filtered: boolean; updating: boolean; changes?: number };
}

export type Summary = Record<Outcome, number> & { total: number };

export function summarize(results: readonly CheckResult[]): Summary {
  const s = { ...Object.fromEntries(OUTCOMES.map((o) => [o, 0])), total: results.length } as Summary;
  for (const r of results) s[r.outcome] += 1;
  return s;
}

/** "309 passed, 2 failed, 5 warnings, 16 skipped": the outcomes that occurred, in a fixed order. */
export function countsText(s: Summary): string {
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.blocked) parts.push(`${s.blocked} blocked`);
  if (s.error) parts.push(`${s.error} error${s.error === 1 ? '' : 's'}`);
  parts.push(`${s.warning} warnings`, `${s.skipped} skipped`);
  return parts.join(', ');
}

/** Checks that make the run exit non-zero: failed with severity failure, errors (the provider
 *  failed a setup step, or the harness broke) and blocked checks (a prerequisite failed, which
 *  a filtered run may not have run itself). Warnings and skips never count. */
export function failingCount(results: readonly CheckResult[]): number {
  return results.filter((r) => (r.outcome === 'failed' && r.severity === 'failure') || r.outcome === 'error' || r.outcome === 'blocked').length;
}

/** A failure or error with the number of checks it blocked: what to read first. */
export interface RootCause {
  /** The check's verdict key: `code.exchange [rustdesk]`. */
  key: string;
  outcome: 'failed' | 'error';
  severity: CheckResult['severity'];
  message: string;
  blocks: number;
  /** Its own result, when the run reports it as failed or errored. */
  result?: CheckResult;
  /** For a prerequisite that failed only in the setup of the checks it blocked: what became of
   *  its own check (`not run`: a filtered run did not select it; else its outcome there). */
  ownCheck?: 'not run' | CheckResult['outcome'];
  /** Other errors with the same reason, blocking nothing (their verdict keys, in reading order):
   *  one cause met by many checks (a login that cannot be completed, an endpoint answering 500)
   *  is read once. Each keeps its own result in the report. */
  same?: string[];
}

/** Failures and errors, those that stand for the most checks first (the checks they block, and
 *  for an error the other errors with the same reason, folded into it: `same`); blocked checks
 *  are not roots, but a prerequisite that failed only in their setup is one (a --grep run that did
 *  not select it, or its own check passed): its failure as they met it. */
export function rootCauses(results: readonly CheckResult[]): RootCause[] {
  const blockedBy = new Map<string, CheckResult[]>();
  for (const r of results) if (r.outcome === 'blocked' && r.blockedBy) blockedBy.set(r.blockedBy, [...(blockedBy.get(r.blockedBy) ?? []), r]);
  const roots: RootCause[] = results
    .filter((r) => r.outcome === 'failed' || r.outcome === 'error')
    .map((result) => ({ key: verdictKey(result), outcome: result.outcome as RootCause['outcome'], severity: result.severity, message: result.message ?? result.outcome, blocks: blockedBy.get(verdictKey(result))?.length ?? 0, result }));
  const known = new Set(roots.map((r) => r.key));
  for (const [key, blocked] of blockedBy) {
    if (known.has(key)) continue;
    const first = [...blocked].sort(byPosition)[0]!;
    const own = results.find((r) => verdictKey(r) === key);
    const prefix = `blocked by ${key}: `;
    const message = first.message?.startsWith(prefix) ? first.message.slice(prefix.length) : (first.message ?? 'failed');
    roots.push({ key, outcome: 'failed', severity: 'failure', message, blocks: blocked.length, ownCheck: own ? own.outcome : 'not run' });
  }
  return groupSameErrors(roots.sort(readingOrder)).sort((a, b) => weight(b) - weight(a) || b.blocks - a.blocks || readingOrder(a, b));
}

/** How many checks a root cause stands for besides its own: those it blocks and those that met
 *  the same error. */
function weight(c: RootCause): number {
  return c.blocks + (c.same?.length ?? 0);
}

/** Failures before errors, then by suite, client and check; a prerequisite the run does not
 *  report (no result of its own) after those it does, by its key. */
function readingOrder(a: RootCause, b: RootCause): number {
  return OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome] || (a.result && b.result ? byPosition(a.result, b.result) : Number(!a.result) - Number(!b.result) || cmp(a.key, b.key));
}

/** Errors that block nothing and give the same reason, folded into the first of `roots` (which
 *  are in reading order). */
function groupSameErrors(roots: RootCause[]): RootCause[] {
  const firstWith = new Map<string, RootCause>();
  const out: RootCause[] = [];
  for (const root of roots) {
    const reason = root.outcome === 'error' && root.blocks === 0 && root.result ? errorReason(root.result) : undefined;
    const first = reason === undefined ? undefined : firstWith.get(reason);
    if (first) {
      (first.same ??= []).push(root.key);
      continue;
    }
    if (reason !== undefined) firstWith.set(reason, root);
    out.push(root);
  }
  return out;
}

/** An error's reason without the check it was met in (`the harness could not run <id>: ` names
 *  it; suites/check-run.ts, src/checks/verdict.ts outcomeOf). */
function errorReason(r: CheckResult): string {
  const message = r.message ?? 'error';
  const prefix = `the harness could not run ${r.id}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** One line for a root cause, as the console prints it: `FAIL code.exchange [rustdesk]: <message>
 *  (blocks 3 checks)`, saying where a prerequisite that failed only in others' setup was met. */
export function rootCauseLine(c: RootCause): string {
  const tag = c.outcome === 'error' ? 'ERROR' : c.severity === 'warning' ? 'WARN' : 'FAIL';
  const note = [c.blocks ? `blocks ${c.blocks} check${c.blocks === 1 ? '' : 's'}` : '', metInSetup(c)].filter(Boolean).join(': ');
  return `${tag} ${c.key}: ${c.message}${note ? ` (${note})` : ''}${sameText(c)}`;
}

/** ` (and N more checks with this error: a, b, c, ...)`, or '' when no other check met it. */
export function sameText(c: RootCause): string {
  if (!c.same?.length) return '';
  const shown = c.same.slice(0, 3).join(', ');
  return ` (and ${c.same.length} more check${c.same.length === 1 ? '' : 's'} with this error: ${shown}${c.same.length > 3 ? ', ...' : ''})`;
}

/** For a prerequisite whose failure was met only in the setup of the checks it blocked: that, and
 *  why its own check does not show it. */
export function metInSetup(c: RootCause): string | undefined {
  if (!c.ownCheck) return undefined;
  return `it failed in ${c.blocks === 1 ? 'its' : 'their'} setup; ${c.ownCheck === 'not run' ? 'this run did not select or report it' : `its own check ${c.ownCheck}`}`;
}

/** Reading order for people: what broke first, what passed last. */
export const OUTCOME_RANK: Record<Outcome, number> = { failed: 0, error: 1, blocked: 2, warning: 3, skipped: 4, passed: 5 };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic order independent of the order Playwright workers finished in. */
export function byPosition(a: CheckResult, b: CheckResult): number {
  return cmp(a.suite, b.suite) || cmp(a.client ?? '', b.client ?? '') || cmp(a.id, b.id);
}

/** JSON for people: two-space indent, undefined shown instead of dropped. */
export function pretty(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Multi-line text of what went wrong, for JUnit failure bodies and terminals. */
export function detailText(r: CheckResult): string {
  const lines: string[] = [`${r.id}${r.client ? ` [${r.client}]` : ''}: ${r.message ?? r.outcome}`];
  lines.push(`severity: ${r.severity}`);
  if (r.blockedBy) lines.push(`blocked by: ${r.blockedBy}`);
  if (r.spec) lines.push(`spec:     ${r.spec}`);
  if (r.source) lines.push(`source:   ${r.source}`);
  if (r.expected !== undefined) lines.push(`expected: ${pretty(r.expected)}`);
  if (r.observed !== undefined) lines.push(`observed: ${pretty(r.observed)}`);
  for (const e of r.evidence ?? []) {
    lines.push(`evidence: ${e.label}`);
    if (e.http) {
      const { request, response, error } = e.http;
      lines.push(`  ${request.method} ${request.url}`);
      if (request.body) lines.push(`  ${truncate(request.body, 500)}`);
      if (response) lines.push(`  -> ${response.status}${response.body ? ` ${truncate(response.body, 500)}` : ''}`);
      if (error) lines.push(`  -> error: ${error}`);
    }
    if (e.data !== undefined) lines.push(`  data: ${truncate(JSON.stringify(e.data) ?? String(e.data), 500)}`);
    if (e.file) lines.push(`  file: ${e.file}`);
  }
  return lines.join('\n');
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more chars)` : s;
}
