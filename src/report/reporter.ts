// Playwright reporter turning each test (one check) into a CheckResult and, at the end, into the
// JUnit, JSON and HTML reports. The suites attach a `check-result` JSON per test; tests that
// crashed or timed out before attaching one are still reported as failed, never dropped.

import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from 'playwright/types/testReporter';
import type { CheckResult, Severity } from '../model/check.ts';
import { BATCH_MEMBER, OUTCOMES, verdictKey, type BatchMember } from '../model/check.ts';
import type { RunMeta } from './meta.ts';
import { countsText, rootCauseLine, rootCauses, summarize } from './meta.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { judgedChanges, readVerdicts } from './expected.ts';
import { writeReports, type ReportPaths } from './write.ts';
import { removeEmptyDirs } from './empty-dirs.ts';

export interface HarnessReporterOptions {
  outputDir?: string;
}

type Annotation = { type: string; description?: string };

const ATTACHMENT = 'check-result';

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

function firstLine(s: string): string {
  return stripAnsi(s).split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

function errorText(e: TestError | undefined): string {
  return e?.message ?? e?.value ?? '';
}

function readSecrets(file: string | undefined): string[] {
  if (!file) return [];
  // A missing or broken secrets file must not stop the reports: pattern redaction still applies.
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : [];
  } catch (err) {
    process.stderr.write(`report: cannot read HARNESS_SECRETS_FILE (${err instanceof Error ? err.message : String(err)}); only pattern redaction applies\n`);
    return [];
  }
}

function harnessVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function readMeta(json: string | undefined): Partial<RunMeta> {
  if (!json) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Partial<RunMeta>) : {};
  } catch {
    return { notes: ['HARNESS_RUN_META is not valid JSON'] };
  }
}

function isCheckResult(v: unknown): v is CheckResult {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.suite === 'string' && typeof r.outcome === 'string' && (OUTCOMES as readonly string[]).includes(r.outcome);
}

/** The check-result attachments of one test, in order. */
function attachedResults(result: TestResult): CheckResult[] {
  const out: CheckResult[] = [];
  for (const a of result.attachments) {
    if (a.name !== ATTACHMENT) continue;
    try {
      const raw = a.body ? a.body.toString('utf8') : a.path ? readFileSync(a.path, 'utf8') : undefined;
      const parsed: unknown = raw === undefined ? undefined : JSON.parse(raw);
      if (isCheckResult(parsed)) out.push(parsed);
    } catch {
      // An unreadable attachment is treated like a missing one: the Playwright status decides.
    }
  }
  return out;
}

function attachedResult(result: TestResult): CheckResult | undefined {
  // Last one wins, like retries: a check that recorded twice meant the later one.
  return attachedResults(result).at(-1);
}

/** The checks a batch test runs (suites/harness.ts describe), from its annotations; empty for a
 *  test that is one check. */
function batchMembers(test: TestCase): BatchMember[] {
  const out: BatchMember[] = [];
  for (const a of test.annotations) {
    if (a.type !== BATCH_MEMBER || !a.description) continue;
    try {
      const parsed = JSON.parse(a.description) as BatchMember;
      if (typeof parsed.id === 'string' && typeof parsed.suite === 'string') out.push(parsed);
    } catch {
      // not one of ours
    }
  }
  return out;
}

/** A batch member as declared, for a member that got no verdict of its own. */
function declaredMember(m: BatchMember): Omit<CheckResult, 'outcome'> {
  return { ...m, evidence: [], durationMs: 0 };
}

/** Why Playwright skipped `test` (its skip annotation), or just that it did. */
function skipReason(test: TestCase, result: TestResult): string {
  const annotations: Annotation[] = [...(result.annotations ?? []), ...test.annotations];
  return annotations.find((a) => a.type === 'skip' || a.type === 'fixme')?.description || 'skipped';
}

/** How many checks a test runs. */
function checkCount(test: TestCase): number {
  return batchMembers(test).length || 1;
}

/** The check as the test declares it, for tests that never attached a result. */
function declared(test: TestCase, result: TestResult): Omit<CheckResult, 'outcome'> {
  const annotations: Annotation[] = [...test.annotations, ...(result.annotations ?? [])];
  const note = (type: string): string | undefined => annotations.find((a) => a.type === type)?.description;
  const space = test.title.indexOf(' ');
  const id = space > 0 ? test.title.slice(0, space) : test.title;
  const title = space > 0 ? test.title.slice(space + 1) : test.title;
  const severity: Severity = note('severity') === 'warning' ? 'warning' : 'failure';
  const client = note('client');
  return {
    id,
    title,
    severity,
    spec: note('spec') ?? '',
    suite: note('suite') ?? path.basename(test.location?.file ?? 'unknown').replace(/\.spec\.[cm]?[jt]s$/, ''),
    ...(client ? { client } : {}),
    evidence: [],
    durationMs: result.duration,
  };
}

function failureMessage(result: TestResult): string {
  const message = firstLine(errorText(result.error) || errorText(result.errors[0]));
  if (result.status === 'timedOut') return message ? `timed out: ${message}` : `timed out after ${result.duration} ms`;
  if (result.status === 'interrupted') return message ? `interrupted: ${message}` : 'interrupted before the check finished';
  return message || `test ${result.status} without a check result`;
}

/** The CheckResults a Playwright test result stands for: one for a test that is one check, one per
 *  member for a batch. A member without a verdict of its own (the batch timed out, crashed or was
 *  interrupted before it) is an error, or skipped with the batch; never dropped. */
function toCheckResults(test: TestCase, result: TestResult): CheckResult[] {
  const members = batchMembers(test);
  if (!members.length) return [toCheckResult(test, result)];
  const attached = new Map<string, CheckResult>();
  for (const r of attachedResults(result)) attached.set(verdictKey(r), r);
  return members.map((m): CheckResult => {
    const own = attached.get(verdictKey(m));
    if (own) return { ...own, evidence: own.evidence ?? [] };
    const base = declaredMember(m);
    if (result.status === 'skipped') return { ...base, outcome: 'skipped', message: skipReason(test, result) };
    const why = result.status === 'passed' ? 'its batch ended without its verdict' : `its batch stopped before it (${failureMessage(result)})`;
    return { ...base, outcome: 'error', message: `did not run: ${why}` };
  });
}

/** Maps one Playwright test result to the CheckResult the reports show. */
function toCheckResult(test: TestCase, result: TestResult): CheckResult {
  const attached = attachedResult(result);
  const broke = result.status === 'failed' || result.status === 'timedOut' || result.status === 'interrupted';
  if (attached) {
    const durationMs = attached.durationMs > 0 ? attached.durationMs : result.duration;
    // A check that recorded success but whose test then broke (timeout in teardown, an assertion
    // after the check) did not pass; what broke is not a requirement verdict either.
    if (broke && (attached.outcome === 'passed' || attached.outcome === 'warning')) {
      const full = stripAnsi(errorText(result.error));
      return {
        ...attached,
        outcome: 'error',
        message: failureMessage(result),
        evidence: [...(attached.evidence ?? []), ...(full ? [{ label: 'Playwright error', data: full }] : [])],
        durationMs,
      };
    }
    return { ...attached, evidence: attached.evidence ?? [], durationMs };
  }
  const base = declared(test, result);
  if (result.status === 'skipped') return { ...base, outcome: 'skipped', message: skipReason(test, result) };
  if (broke) {
    // Timed out or crashed before it recorded a verdict: an error, not a requirement failure.
    const full = stripAnsi(errorText(result.error) || errorText(result.errors[0]));
    return { ...base, outcome: 'error', message: failureMessage(result), evidence: full ? [{ label: 'Playwright error', data: full }] : [] };
  }
  return { ...base, outcome: 'passed', message: 'passed without a check-result attachment' };
}

export default class HarnessReporter implements Reporter {
  private readonly outputDir: string;
  private readonly byTest = new Map<string, CheckResult[]>();
  /** Verdicts so far (a batch test brings several). */
  private verdicts = 0;
  private readonly order: string[] = [];
  private readonly globalErrors: string[] = [];
  private root: Suite | undefined;
  private testOutputDirs: string[] = [];
  private startedAt = new Date().toISOString();
  private firstCheckAt: Date | undefined;
  private lastCheckEndedAt = 0;
  /** Under the CLI (it hands over HARNESS_RUN_META), this reporter is the console's. */
  private readonly console: boolean;
  private total = 0;
  /** A progress line is on a terminal and not yet ended. */
  private pending = false;
  /** The reports as written when the last check ended: while the workers close their browsers and
   *  exit, which Playwright waits for before onEnd (about 0.2 s of a default run's end, when the
   *  runner has nothing else to do). Dropped, and the reports written again in onEnd, when anything
   *  comes after them (another attempt of a check, an error outside the checks). */
  private early: { results: CheckResult[]; paths: ReportPaths; redactor: Redactor } | undefined;

  constructor(options: HarnessReporterOptions = {}) {
    this.outputDir = path.resolve(options.outputDir ?? process.env.HARNESS_REPORT_DIR ?? 'reports/adhoc');
    this.console = process.env.HARNESS_RUN_META !== undefined;
  }

  /** Under the CLI: a line as the run starts, one per check with its verdict (rewritten in place on
   *  a terminal), then the summary. Playwright then adds no reporter of its own, whose counts (a
   *  warning counted as passed, a provider failure as an expected failure) contradicted the
   *  verdicts. Started by hand (`npx playwright test --list`), Playwright's own reporters print. */
  printsToStdio(): boolean {
    return this.console;
  }

  private progress(line: string): void {
    if (process.stdout.isTTY) {
      process.stdout.write(`\r\x1b[2K${line}`);
      this.pending = true;
    } else process.stdout.write(`${line}\n`);
  }

  private endProgress(): void {
    if (this.pending) process.stdout.write('\r\x1b[2K');
    this.pending = false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.root = suite;
    this.total = suite.allTests().reduce((n, t) => n + checkCount(t), 0);
    // Nothing for a filter that selected no check: the CLI says so in one line.
    const w = config.workers;
    if (this.console && this.total > 0) process.stdout.write(`Running ${this.total} checks${typeof w === 'number' ? ` using ${w} worker${w === 1 ? '' : 's'}` : ''}\n`);
    // Hand-built configs (the reporter's tests) may carry no projects.
    this.testOutputDirs = [...new Set((config.projects ?? []).map((p) => p.outputDir))];
    this.startedAt = new Date().toISOString();
  }

  onTestBegin(_test: TestCase, result: TestResult): void {
    // Hand-built results (the reporter's tests) may carry no start time.
    if (result.startTime instanceof Date) this.firstCheckAt ??= result.startTime;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.startTime instanceof Date) this.lastCheckEndedAt = Math.max(this.lastCheckEndedAt, result.startTime.getTime() + result.duration);
    // Retries call this once per attempt; the last attempt is the verdict.
    if (!this.byTest.has(test.id)) this.order.push(test.id);
    const results = toCheckResults(test, result);
    this.verdicts += results.length - (this.byTest.get(test.id)?.length ?? 0);
    this.byTest.set(test.id, results);
    // The verdict and the check, never its message (the summary and the report carry those).
    // A check cut short by Ctrl-C has no verdict to show: the CLI says the run was interrupted.
    if (this.console && result.status !== 'interrupted') {
      let n = this.verdicts - results.length;
      for (const r of results) this.progress(`[${++n}/${this.total}] ${r.outcome} ${r.id}${r.client ? ` [${r.client}]` : ''}`);
    }
    if (this.early) this.early = undefined;
    else if (result.status !== 'interrupted' && this.total > 0 && this.verdicts === this.total && this.globalErrors.length === 0) this.early = this.write('passed');
  }

  onError(error: TestError): void {
    this.globalErrors.push(firstLine(errorText(error)) || 'unknown error');
    this.early = undefined;
  }

  onEnd(result: FullResult): void {
    this.endProgress();
    // Under the CLI (it hands over the run's metadata): a run cut short gets no verdicts (the CLI
    // says it was interrupted), not even those written as its last check ended.
    if (this.console && result.status === 'interrupted') {
      if (this.early) for (const file of Object.values(this.early.paths)) rmSync(file, { force: true });
      return;
    }
    // Nothing ran and nothing went wrong: a filter that selected no check (the CLI's one-line
    // error), or Playwright listing the checks (`--list`). A report would call every check one that
    // did not run.
    if (result.status === 'passed' && this.verdicts === 0 && this.globalErrors.length === 0) return;
    const { results, paths, redactor } = this.early ?? this.write(result.status);
    process.stdout.write(endSummary(results, paths.html, redactor));
    // The checks keep their evidence in the report folder; Playwright's output folder keeps only
    // what Playwright writes there (a failed check's traces, error context). Empty folders are
    // removed, anything else kept.
    for (const dir of this.testOutputDirs) removeEmptyDirs(dir);
  }

  /** Writes the reports of the verdicts so far; `status` is the run's, for checks that did not run. */
  private write(status: FullResult['status']): { results: CheckResult[]; paths: ReportPaths; redactor: Redactor } {
    const results = this.collect(status);
    const redactor = createRedactor(readSecrets(process.env.HARNESS_SECRETS_FILE));
    const meta = withJudgement(this.meta(), results);
    return { results, paths: writeReports(this.outputDir, results, meta, redactor), redactor };
  }

  private collect(status: FullResult['status']): CheckResult[] {
    const results = this.order.flatMap((id) => this.byTest.get(id)!);
    // Tests that never reached onTestEnd (worker crash, max failures, interrupted run) are
    // incomplete checks: report them failed rather than let the run look smaller and green.
    for (const test of this.root?.allTests() ?? []) {
      if (this.byTest.has(test.id)) continue;
      const members = batchMembers(test);
      const bases = members.length ? members.map(declaredMember) : [declared(test, { duration: 0, annotations: [] } as unknown as TestResult)];
      for (const base of bases) results.push({ ...base, outcome: 'error', message: `did not run (Playwright run ${status})` });
    }
    // Errors outside any test (a suite file that does not load) would otherwise drop its checks silently.
    for (const message of this.globalErrors) {
      results.push({ id: 'harness.error', title: 'Playwright error outside a check', severity: 'failure', spec: '', suite: 'harness', outcome: 'error', message, evidence: [], durationMs: 0 });
    }
    return results;
  }

  private meta(): RunMeta {
    const partial = readMeta(process.env.HARNESS_RUN_META);
    return {
      ...partial,
      target: partial.target ?? 'unknown',
      profileFile: partial.profileFile ?? '',
      startedAt: partial.startedAt ?? this.startedAt,
      finishedAt: new Date().toISOString(),
      timeline: {
        suitesLoadedAt: this.startedAt,
        ...(this.firstCheckAt ? { firstCheckAt: this.firstCheckAt.toISOString() } : {}),
        ...(this.lastCheckEndedAt ? { lastCheckEndedAt: new Date(this.lastCheckEndedAt).toISOString() } : {}),
      },
      harnessVersion: partial.harnessVersion ?? harnessVersion(),
      runtime: partial.runtime ?? `Node.js ${process.version}`,
    };
  }
}

/** `meta` with the number of verdicts that differ from the target's expected results, counted as
 *  the CLI counts them (judgedChanges), so the summary states the exit code the CLI gives. A file
 *  that cannot be read leaves the count out (the CLI has checked it before the run). */
function withJudgement(meta: RunMeta, results: CheckResult[]): RunMeta {
  const e = meta.expected;
  if (!e || e.updating) return meta;
  try {
    return { ...meta, expected: { ...e, changes: judgedChanges(readVerdicts(e.path), results, e.filtered).length } };
  } catch {
    return meta;
  }
}

function endSummary(results: readonly CheckResult[], htmlPath: string, redactor: Redactor): string {
  const lines = [`checks: ${countsText(summarize(results))}`];
  // Root causes first, those that block the most checks at the top; blocked checks are counted, not listed.
  for (const cause of rootCauses(results)) lines.push(redactor.text(rootCauseLine(cause)));
  lines.push(`report: ${htmlPath}`);
  return `${lines.join('\n')}\n`;
}
