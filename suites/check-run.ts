// How a registered check runs (suites/harness.ts registers them): alone as one Playwright test, or
// with the other checks of its describe block as one test (a batch). Either way each check gets its
// own verdict, bound and check-result attachment, which the reporter turns into one result each
// (src/report/reporter.ts).

import type { TestInfo } from 'playwright/test';
import type { CheckDef, CheckResult, Evidence } from '../src/model/check.ts';
import { verdictKey, type BatchMember } from '../src/model/check.ts';
import type { ClientSpec } from '../src/model/target.ts';
import type { Redactor } from '../src/report/redact.ts';
import { HttpError } from '../src/http/exchange.ts';
import { LoginError } from '../src/browser/drivers.ts';
import { CannotTell, CheckFailure, CheckSkipped, outcomeOf, ProviderError } from '../src/checks/verdict.ts';
import type { RunContext } from '../src/session/run.ts';
import type { Sessions, WorkerSession } from '../src/session/worker-session.ts';

/** What every check receives: the worker's run (profile, issuer, discovery), its login sessions,
 *  and the session of the profile's first user (the one every check but the claims checks runs as). */
export interface CheckFixtures {
  run: RunContext;
  sessions: Sessions;
  session: WorkerSession;
}

/** The part of Playwright's TestInfo a check's run uses (a hand-made one in the tests). */
export type RunningTest = Pick<TestInfo, 'timeout' | 'setTimeout' | 'annotations' | 'attachments' | 'fail' | 'skip'>;

/** A check's body: it throws to fail or skip, and may return evidence to keep with a pass (the
 *  claims table a person wants to read). */
export type CheckBody = (fx: CheckFixtures) => Promise<Evidence[] | void>;

/** A check as a suite declared it. */
export interface Declared {
  suite: string;
  def: CheckDef;
  body: CheckBody;
  client: ClientSpec | undefined;
}

/** What a check is, as a result or a batch's annotation names it (the reporter's BatchMember). */
export function identity({ suite, def, client }: Declared): BatchMember {
  return { id: def.id, title: def.title, severity: def.severity, spec: def.spec, suite, ...(client ? { client: client.id } : {}) };
}

/** A result of `declared` with no evidence of its own yet. */
function resultOf(declared: Declared, verdict: Pick<CheckResult, 'outcome' | 'durationMs'> & Partial<CheckResult>): CheckResult {
  return { ...declared.def, ...identity(declared), evidence: [], ...verdict };
}

/** The verdict, as the check-result attachment the reporter reads. Pushed rather than attach()ed:
 *  attach() makes the check's output folder on disk and a step around it (two more messages to the
 *  runner) for a body that is sent in memory either way; per check, for hundreds of checks. */
function record(testInfo: RunningTest, redactor: Redactor, result: CheckResult): void {
  testInfo.attachments.push({ name: 'check-result', contentType: 'application/json', body: Buffer.from(JSON.stringify(redactor.value(result))) });
}

/** One check's verdict: the result to record, its one-line message, and what to rethrow when the
 *  harness itself broke (not a verdict about the provider). */
interface Judged {
  result: CheckResult;
  message: string;
  defect?: unknown;
  /** A check over its bound: its body, still running (it ends when its own bounded requests do). */
  unsettled?: Promise<unknown>;
}

async function judge(declared: Declared, fx: CheckFixtures): Promise<Judged> {
  const { def, body, client } = declared;
  const started = Date.now();
  try {
    const kept = (await body(fx)) ?? [];
    return { result: resultOf(declared, { outcome: 'passed', evidence: kept, durationMs: Date.now() - started }), message: 'passed' };
  } catch (err) {
    const verdict = outcomeOf(err, def, client, { exactErrorCodes: fx.run.profile.behaviour?.exactErrorCodes ?? false });
    const result = resultOf(declared, { ...verdict.detail, evidence: verdict.detail.evidence ?? [], outcome: verdict.outcome, durationMs: Date.now() - started, ...(verdict.blockedBy ? { blockedBy: verdict.blockedBy } : {}) });
    // A sign-in the driver could not complete (LoginError) is an error, but no defect of the worker:
    // a new one would sign in again and wait out the driver's bound for every batch.
    const defect = err instanceof CheckFailure || err instanceof ProviderError || err instanceof HttpError || err instanceof CheckSkipped || err instanceof LoginError || err instanceof CannotTell ? undefined : err;
    // Where the harness broke, for whoever mends it (redacted with the rest when recorded).
    if (defect instanceof Error && defect.stack) result.evidence = [...result.evidence, { label: 'harness error', data: defect.stack }];
    return { result, message: fx.run.redactor.text(verdict.detail.message), ...(defect === undefined ? {} : { defect }) };
  }
}

/** One check as one Playwright test: its verdict as the check-result attachment, and the test's
 *  status to match (skipped; a provider failure as an expected failure, so Playwright keeps this
 *  worker and its login instead of starting a new one; a harness defect, or a check over its
 *  bound, thrown as it is: a new worker follows). */
export async function runCheck(declared: Declared, fx: CheckFixtures, testInfo: RunningTest): Promise<void> {
  // Bounded as in a batch, so that a check over its bound is the same error either way: recorded
  // before Playwright's own timeout (twice the bound) ends the test and closes the worker's pages,
  // which the body, still running, would have turned into a failure blamed on the provider.
  const bound = testInfo.timeout;
  if (bound > 0) testInfo.setTimeout(bound * 2);
  const { result, message, defect } = await judgeWithin(declared, fx, bound, testInfo);
  record(testInfo, fx.run.redactor, result);
  switch (result.outcome) {
    case 'passed':
      return;
    case 'skipped':
      testInfo.skip(true, message);
      return;
    case 'warning':
    case 'blocked':
      testInfo.annotations.push({ type: result.outcome, description: message });
      return;
    case 'failed':
    case 'error':
      if (defect !== undefined) throw defect;
      testInfo.annotations.push({ type: 'verdict', description: `${result.outcome} (provider check)` });
      testInfo.fail();
      throw new Error(fx.run.redactor.text(formatFailure(result)));
  }
}

/** A describe block's checks as one Playwright test, one after another: each is judged and recorded
 *  on its own, bound by Playwright's test timeout as it would be alone (a check over it is an error,
 *  and the next one runs once its body has ended; none does beside it). The test ends as its worst
 *  member: failed as expected when the provider failed a check (or answered one with a server
 *  error), failed outright (a new worker follows) when the harness broke or a check ran over its
 *  bound, skipped when every check was skipped. */
export async function runBatch(batch: readonly Declared[], fx: CheckFixtures, testInfo: RunningTest): Promise<void> {
  const bound = testInfo.timeout;
  if (bound > 0) testInfo.setTimeout(bound * (batch.length + 1));
  const failures: string[] = [];
  const failedAs = new Set<'failed' | 'error'>();
  const skips: string[] = [];
  let broken: unknown;
  for (const [i, declared] of batch.entries()) {
    const { result, message, defect, unsettled } = await judgeWithin(declared, fx, bound, testInfo);
    const key = verdictKey(result);
    record(testInfo, fx.run.redactor, result);
    if (defect !== undefined) broken ??= defect;
    switch (result.outcome) {
      case 'skipped':
        skips.push(`${key}: ${message}`);
        // Named in Playwright's report, as warnings are: a batch with checks that ran shows as passed.
        testInfo.annotations.push({ type: 'skipped', description: `${key}: ${message}` });
        break;
      case 'warning':
      case 'blocked':
        testInfo.annotations.push({ type: result.outcome, description: `${key}: ${message}` });
        break;
      case 'failed':
      case 'error':
        failedAs.add(result.outcome);
        failures.push(fx.run.redactor.text(formatFailure(result)));
        break;
    }
    // A check over its bound still runs on the worker's sessions and pages (alone, Playwright would
    // end its worker): the next check starts once it has ended, never beside it. One that has not
    // ended a bound later leaves the rest of its batch unrun, each an error saying why.
    if (unsettled) {
      const why = `did not run: ${key} ran over its bound and had not ended ${bound} ms later`;
      for (const rest of batch.slice(i + 1)) {
        const unrun = resultOf(rest, { outcome: 'error', message: why, durationMs: 0 });
        record(testInfo, fx.run.redactor, unrun);
        failures.push(fx.run.redactor.text(formatFailure(unrun)));
      }
      break;
    }
  }
  if (failures.length) {
    if (broken === undefined) {
      testInfo.annotations.push({ type: 'verdict', description: `${[...failedAs].join(' and ')} (provider checks)` });
      testInfo.fail();
    }
    throw new Error(failures.join('\n\n'));
  }
  if (skips.length === batch.length) testInfo.skip(true, skips.join('; '));
}

/** The check's verdict within its bound (withinBound). A check over it, once its body has ended
 *  (one bound more at most), is an error verdict like any other, its worker kept, alone as in a
 *  batch (the next check then finds what the body left, such as a probe it finished, either way).
 *  A body still running is a defect (`unsettled` stays set): alone, Playwright replaces the worker;
 *  in a batch, the checks after it do not run. */
async function judgeWithin(declared: Declared, fx: CheckFixtures, bound: number, testInfo: RunningTest): Promise<Judged> {
  const judged = await withinBound(() => judge(declared, fx), bound, testInfo, declared);
  if (!judged.unsettled || !(await settledWithin(judged.unsettled, bound, testInfo))) return judged;
  const { result, message } = judged;
  return { result, message };
}

/** Whether `body` ends within `ms` (the batch's own timeout makes room for the wait). */
async function settledWithin(body: Promise<unknown>, ms: number, testInfo: RunningTest): Promise<boolean> {
  testInfo.setTimeout(testInfo.timeout + ms);
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([body.then(() => true, () => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return ended;
}

/** The bound of the check now running (its test's timeout, or its bound in its batch), which
 *  allowTime moves. One check runs at a time in a worker. */
let running: { allow(ms: number): void } | undefined;

/** The check's verdict, or an error verdict when it has not come within `boundMs` of its start
 *  (0: no bound), or within what it asked for with allowTime. The check's own requests stay bounded
 *  by theirs (src/http/exchange.ts) and end on their own. */
function withinBound(start: () => Promise<Judged>, boundMs: number, testInfo: RunningTest, declared: Declared): Promise<Judged> {
  if (boundMs <= 0) {
    // No bound to move (Playwright's --timeout 0, --debug); the check may still ask.
    running = { allow: () => undefined };
    return start().finally(() => (running = undefined));
  }
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let timedOut: (judged: Judged) => void = () => undefined;
  const late = new Promise<Judged>((resolve) => (timedOut = resolve));
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const message = `timed out after ${ms} ms`;
      timedOut({ result: resultOf(declared, { outcome: 'error', message, durationMs: ms }), message, defect: new Error(`${declared.def.id}: ${message}`), unsettled: body });
    }, Math.max(0, started + ms - Date.now()));
  };
  let body: Promise<Judged> = late;
  arm(boundMs);
  // Before the body starts: it may ask for time before its first await.
  running = {
    allow(ms) {
      // The batch's own timeout keeps room for this check's wait and for the checks after it.
      testInfo.setTimeout(testInfo.timeout + ms);
      arm(ms);
    },
  };
  body = start();
  return Promise.race([body, late]).finally(() => {
    clearTimeout(timer);
    running = undefined;
  });
}

/** The check now running may take `ms` in all, for a wait that is what it tests (a lifespan running
 *  out): its Playwright test's timeout when it is a test of its own, its bound within its batch. */
export function allowTime(ms: number): void {
  if (!running) throw new Error('allowTime is for the body of a running check');
  running.allow(ms);
}

/** A failed or errored check as the lines of its Playwright error. */
function formatFailure(result: CheckResult): string {
  const lines = [`${verdictKey(result)}: ${result.message ?? ''}`];
  if (result.source) lines.push(`  source:   ${result.source}`);
  if (result.expected !== undefined) lines.push(`  expected: ${JSON.stringify(result.expected)}`);
  if (result.observed !== undefined) lines.push(`  observed: ${JSON.stringify(result.observed)}`);
  return lines.join('\n');
}

