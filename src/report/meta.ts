// Run-level data shared by the three report formats.

import type { CheckResult, Outcome } from '../model/check.ts';

export interface RunMeta {
  target: string;
  issuer?: string;
  profileFile: string;
  startedAt: string;
  finishedAt: string;
  harnessVersion: string;
  claimsProfile?: string;
  /** The image under test, for container targets (a release certification names its build). */
  image?: string;
  notes?: string[];
}

export interface Summary {
  passed: number;
  failed: number;
  warning: number;
  skipped: number;
  total: number;
}

export function summarize(results: readonly CheckResult[]): Summary {
  const s: Summary = { passed: 0, failed: 0, warning: 0, skipped: 0, total: results.length };
  for (const r of results) s[r.outcome] += 1;
  return s;
}

/** Checks that make the run exit non-zero: failed with severity failure. Warnings never count. */
export function failingCount(results: readonly CheckResult[]): number {
  return results.filter((r) => r.outcome === 'failed' && r.severity === 'failure').length;
}

/** Reading order for people: what broke first, what passed last. */
export const OUTCOME_RANK: Record<Outcome, number> = { failed: 0, warning: 1, skipped: 2, passed: 3 };

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

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more chars)` : s;
}
