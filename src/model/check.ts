// What one check reports. Suites produce these; src/report turns them into JUnit, JSON and HTML.

/** failure: a broken requirement fails the run. warning: reported, does not change the exit code. */
export type Severity = 'failure' | 'warning';

/** passed / failed / warning: the provider's verdict on the requirement. blocked: a prerequisite
 *  check failed (see `blockedBy`), so this requirement could not be tried. error: the provider
 *  answered a server error, timed out or dropped the connection while the check set itself up
 *  (or the harness itself broke: the message says which); never a requirement verdict.
 *  skipped: the requirement does not apply, or cannot be told (the message says why). */
export type Outcome = 'passed' | 'failed' | 'warning' | 'blocked' | 'error' | 'skipped';

export const OUTCOMES: readonly Outcome[] = ['passed', 'failed', 'warning', 'blocked', 'error', 'skipped'];

export interface CheckDef {
  /** Stable id, e.g. `discovery.issuer-matches`. */
  id: string;
  title: string;
  severity: Severity;
  /** Spec reference, e.g. `OIDC Discovery 1.0 §4.3`. */
  spec: string;
}

export interface HttpExchange {
  request: { method: string; url: string; headers?: Record<string, string>; body?: string };
  response?: { status: number; headers?: Record<string, string>; body?: string };
  /** Set when the request never got an answer (timeout, refused). */
  error?: string;
}

export interface Evidence {
  label: string;
  http?: HttpExchange;
  /** Free-form evidence (decoded claims, page URL, ...). */
  data?: unknown;
  /** Path of an attached file (screenshot), relative to the report folder. */
  file?: string;
}

export interface CheckResult extends CheckDef {
  suite: string;
  /** Client id, when the check ran for one client. */
  client?: string;
  outcome: Outcome;
  /** One-line verdict for failures, warnings and skips. */
  message?: string;
  /** Configuration key or spec rule the expectation came from. */
  source?: string;
  expected?: unknown;
  observed?: unknown;
  evidence: Evidence[];
  durationMs: number;
  /** For `blocked`: the verdict key (`<check id>` or `<check id> [<client>]`) of the failed prerequisite. */
  blockedBy?: string;
}

/** The test annotation type naming each check of a batch (suites/harness.ts describe): several
 *  checks run as one Playwright test, each with its own verdict. */
export const BATCH_MEMBER = 'check';

/** A batch member as declared (its annotation's description, JSON). */
export type BatchMember = Pick<CheckResult, 'id' | 'title' | 'severity' | 'spec' | 'suite' | 'client'>;

/** The key a verdict is known by in expected results, blocked-by links and comparisons:
 *  `<check id>`, or `<check id> [<client>]` for a check that ran for one client. */
export function verdictKey(r: { id: string; client?: string | undefined }): string {
  return r.client ? `${r.id} [${r.client}]` : r.id;
}
