// Playwright Test fixtures and the check() registration every suite uses. The run (profile,
// issuer, discovery) and the login session are per worker; a fresh browser context is made only
// where isolation is what a check tests.


import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _baseTest, type Page, type Request, type Response } from 'playwright/test';
import { BATCH_MEMBER, verdictKey, type CheckDef, type Evidence } from '../src/model/check.ts';
import type { ClientSpec, TargetProfile } from '../src/model/target.ts';
import { readRunInputs } from '../src/session/run-inputs.ts';
import type { Redactor } from '../src/report/redact.ts';
import { redactZip } from '../src/report/zip.ts';
import { LoginError, selectorsFor, unrecognisedLogin } from '../src/browser/drivers.ts';
import { CannotTell, CheckFailure, CheckSkipped, fail, ProviderError, skip } from '../src/checks/verdict.ts';
import { createRun, type RunContext } from '../src/session/run.ts';
import { allowTime, identity, runBatch, runCheck, type CheckBody, type CheckFixtures, type Declared } from './check-run.ts';
import { Sessions, type Flow, type WorkerSession } from '../src/session/worker-session.ts';
import { newContext } from '../src/browser/launch.ts';

export { allowTime, createRun, Sessions, type CheckFixtures, type Flow, type RunContext, type WorkerSession };

/** Playwright Test's runner without its browser fixtures. The checks launch their own browser
 *  (src/browser/launch.ts) and record their own traces, so the per-test fixtures of the full
 *  `test` (context options, trace recording that turns every API call into a reported step with
 *  a source-mapped stack) were pure cost: half the CPU time of 400 empty tests, measured. The
 *  export is in Playwright's own types (types/test.d.ts); test/harness-base.test.ts fails if a
 *  Playwright upgrade drops it. */
const base = _baseTest;

export const test = base.extend<object, CheckFixtures>({
  run: [
    async ({}, use) => {
      await use(createRun());
    },
    { scope: 'worker' },
  ],
  sessions: [
    async ({ run }, use) => {
      const sessions = new Sessions(run);
      await use(sessions);
      await sessions.close();
    },
    { scope: 'worker' },
  ],
  session: [
    async ({ run, sessions }, use) => {
      await use(sessions.for(run.profile.users[0]!));
    },
    { scope: 'worker' },
  ],
});

function annotations(suite: string, def: CheckDef, client?: ClientSpec) {
  return [
    { type: 'severity', description: def.severity },
    { type: 'spec', description: def.spec },
    { type: 'suite', description: suite },
    ...(client ? [{ type: 'client', description: client.id }] : []),
  ];
}

let captures = 0;

function captureName(name: string): string {
  return `${name.replace(/[^\w.-]+/g, '_')}-${process.pid}-${++captures}`;
}

let secretInputs: string[] | undefined;

/** What a user typed into a password or one-time-password input never reaches the report: those
 *  inputs are masked, found generically and by the login driver's own selectors (read from the
 *  profile once per worker, not at every screenshot). */
function secretInputSelectors(): string[] {
  if (secretInputs) return secretInputs;
  const found = ['input[type="password" i]', 'input[autocomplete="one-time-code" i]'];
  try {
    const { password, otp } = selectorsFor(collectProfile().login);
    found.push(password, ...(otp ? [otp] : []));
  } catch {
    // no profile to read the driver's selectors from: the generic ones still apply
  }
  return (secretInputs = found);
}

/** A screenshot of `page` in the report folder, as evidence (the error page a person would see). */
export async function screenshot(page: Page, name: string, label: string): Promise<Evidence[]> {
  const dir = process.env.HARNESS_REPORT_DIR;
  if (!dir) return [];
  mkdirSync(path.join(dir, 'screenshots'), { recursive: true });
  const shot = `screenshots/${captureName(name)}.png`;
  const mask = secretInputSelectors().map((sel) => page.locator(sel));
  return page.screenshot({ path: path.join(dir, shot), fullPage: true, mask }).then(() => [{ label, file: shot }], () => []);
}

/** Screenshot and redacted trace of a failed UI check, written into the report folder.
 *  `stopTrace` writes the check's trace (the context's, or its chunk of a kept context). */
async function captureFailure(stopTrace: (path: string) => Promise<void>, page: Page, name: string, redactor: Redactor): Promise<Evidence[]> {
  const dir = process.env.HARNESS_REPORT_DIR;
  if (!dir) return [];
  const base = captureName(name);
  const evidence: Evidence[] = await screenshot(page, name, 'screenshot of the page at failure');
  mkdirSync(path.join(dir, 'traces'), { recursive: true });
  const raw = path.join(os.tmpdir(), `${base}.zip`);
  if (await stopTrace(raw).then(() => true, () => false)) {
    const trace = `traces/${base}.zip`;
    // Traces record typed values and URLs with codes: redact before anything is kept.
    writeFileSync(path.join(dir, trace), redactZip(readFileSync(raw), (t) => redactor.text(t)));
    rmSync(raw, { force: true });
    evidence.push({ label: 'Playwright trace (npx playwright show-trace <file>)', file: trace });
  }
  return evidence;
}

/** How a check's traces are recorded: every action, without the DOM snapshots (and the network
 *  log that comes with them), which made each action of a login about a third slower, measured;
 *  the network is kept by `navigations` instead. The screencast only with --full (certification):
 *  encoding and storing its frames cost a default run 2.5-5 CPU-seconds, 1.5-2 s of its wall time
 *  (measured A/B on 2 cores), and a failure keeps a screenshot of the page either way. */
function traceOptions(run: RunContext): { screenshots: boolean; snapshots: false } {
  return { screenshots: run.full, snapshots: false };
}

/** The browser's navigations while `page` runs a check (method, URL, status), the network part of
 *  the evidence when the check fails: Playwright reports these events to the client anyway. */
function navigations(page: Page): { log: () => Array<{ method: string; url: string; status?: number }>; stop: () => void } {
  type Step = { method: string; url: string; status?: number };
  const seen: Step[] = [];
  const byRequest = new WeakMap<Request, Step>();
  const onRequest = (r: Request) => {
    if (!r.isNavigationRequest() || r.frame() !== page.mainFrame()) return;
    const step: Step = { method: r.method(), url: r.url() };
    byRequest.set(r, step);
    seen.push(step);
    // A long flow keeps its last steps, where it went wrong.
    if (seen.length > 40) seen.shift();
  };
  const onResponse = (res: Response) => {
    const step = byRequest.get(res.request());
    if (step) step.status = res.status();
  };
  page.on('request', onRequest);
  page.on('response', onResponse);
  return {
    log: () => [...seen],
    stop: () => {
      page.off('request', onRequest);
      page.off('response', onResponse);
    },
  };
}

/** Playwright's refusal of a selector it cannot parse ("Unexpected token "#" while parsing css
 *  selector "###"", "Unknown engine"), as opposed to one that matched nothing on the page. */
function unparsableSelector(err: unknown): boolean {
  return err instanceof Error && /while parsing (css )?selector|Unknown engine "/.test(err.message);
}

/** Runs `fn` on `page`; when it fails for the page's sake, a screenshot, the browser's navigations
 *  and a redacted trace become its evidence. */
async function captured<T>(session: WorkerSession, name: string, page: Page, stopTrace: (path: string) => Promise<void>, fn: (page: Page) => Promise<T>): Promise<T> {
  const nav = navigations(page);
  try {
    return await fn(page);
  } catch (err) {
    // Not this page's failure: a skip, a server error, or a prerequisite another check owns; or a
    // selector of the profile's login driver that Playwright cannot parse (the profile's mistake:
    // the check's outcome is an error, not a failure blamed on the provider).
    if (err instanceof CheckSkipped || err instanceof ProviderError || (err instanceof CheckFailure && err.prerequisite) || unparsableSelector(err)) throw err;
    const log = nav.log();
    const evidence = [...(log.length ? [{ label: "the browser's navigations (method, URL, status)", data: log }] : []), ...(await captureFailure(stopTrace, page, name, session.run.redactor))];
    if (err instanceof CheckFailure) throw new CheckFailure({ ...err.detail, evidence: [...(err.detail.evidence ?? []), ...evidence] });
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    // The provider's pages were shown, but the login driver knew none of them: the screenshot says
    // which is wrong, the provider's page or the profile's selectors.
    if (err instanceof LoginError && err.unrecognised) throw new CannotTell({ message: unrecognisedLogin(err), evidence });
    throw new CheckFailure({ message: `the browser flow failed: ${message}`, evidence });
  } finally {
    nav.stop();
  }
}

/** A fresh browser context for a check of the provider's own pages, where a login nobody made
 *  before is what is tested; when the check fails, a screenshot and a redacted trace become its
 *  evidence. */
export async function withFreshPage<T>(session: WorkerSession, name: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await newContext(await session.browser());
  await context.tracing.start(traceOptions(session.run));
  const page = await context.newPage();
  try {
    return await captured(session, name, page, (p) => context.tracing.stop({ path: p }), fn);
  } finally {
    await context.tracing.stop().catch(() => undefined);
    await context.close();
  }
}

/** The worker's kept signed-in page (WorkerSession.keptPage) for a check that only looks at what
 *  the provider shows a signed-in user; its trace is a chunk of the kept context's. When the check
 *  fails, a screenshot and that chunk become its evidence and the page is not kept for the next. */
export async function withSignedInPage<T>(session: WorkerSession, client: ClientSpec, name: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const page = await session.keptPage(client);
  const tracing = page.context().tracing;
  // The first chunk starts the context's tracing; later ones start a chunk of it.
  await (tracedContexts.has(page.context()) ? tracing.startChunk() : tracing.start(traceOptions(session.run)).then(() => tracedContexts.add(page.context())));
  let stopped = false;
  try {
    return await captured(session, name, page, (p) => ((stopped = true), tracing.stopChunk({ path: p })), fn);
  } catch (err) {
    await session.discardKeptPage();
    throw err;
  } finally {
    if (!stopped) await tracing.stopChunk().catch(() => undefined);
  }
}

const tracedContexts = new WeakSet<object>();

/** The checks of the `describe` block being declared, when they become one Playwright test. */
let openBatch: Declared[] | undefined;

/** Whether each check is its own Playwright test, as the CLI asks with --grep (a filter selects
 *  checks, not batches), --reverse (each check dispatched on its own, in whichever order the workers
 *  free up: the proof that verdicts do not depend on order or batching) and --full (its waiting
 *  checks wait side by side). Read at collection, in the runner and in every worker alike. */
function checkPerTest(): boolean {
  return process.env.HARNESS_CHECK_PER_TEST === '1';
}

/** Registers one check. Declared inside `describe`, it runs in that block's batch (one Playwright
 *  test); elsewhere, or with HARNESS_CHECK_PER_TEST, as a Playwright test of its own. What the body
 *  throws decides the outcome: a CheckFailure of its own requirement fails it; one tagged with
 *  another check's requirement (a prerequisite) blocks it; a ProviderError (5xx, no answer) in a
 *  setup step, or a harness defect, is an error; CheckSkipped skips it with the reason. */
export function check(suite: string, def: CheckDef, body: CheckBody, client?: ClientSpec): void {
  if (openBatch) {
    openBatch.push({ suite, def, body, client });
    return;
  }
  // Kept to one line: Playwright reads which fixtures a test takes from its function's source
  // (fn.toString(), scanned character by character), once per test in the runner and again in
  // each worker; the check's own code lives in runCheck.
  test(`${def.id} ${def.title}`, { annotation: annotations(suite, def, client) }, ({ run, sessions, session }, testInfo) => runCheck({ suite, def, body, client }, { run, sessions, session }, testInfo));
}

/** A block of checks (one client's, say), as Playwright's test.describe. In a default run its checks
 *  run as one Playwright test, one after another in one worker, each with its own verdict, bound and
 *  evidence: Playwright spends about 5 ms of CPU on each test it runs (its fixtures, two hook steps
 *  with a captured stack each, six messages between worker and runner, each reporter's hooks), and
 *  a default run has 461 checks. Measured in interleaved pairs of default runs on 2 cores: 2 CPU-s
 *  and 0.9 s of wall time less. A batch never shares more than its checks did as separate tests
 *  (a suite's tests ran in one worker, in order, already); --reverse runs every check alone, and CI
 *  compares its verdicts with a default run's. */
export function describe(title: string, declare: () => void): void {
  test.describe(title, () => {
    if (checkPerTest() || openBatch) return declare();
    const batch: Declared[] = [];
    openBatch = batch;
    try {
      declare();
    } finally {
      openBatch = undefined;
    }
    // The reporter tells a batch's verdicts apart by check id and client (verdictKey).
    const keys = batch.map((b) => verdictKey(identity(b)));
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    if (twice) throw new Error(`describe(${JSON.stringify(title)}) declares ${twice} twice: each check of a block needs its own id and client`);
    if (batch.length === 1) {
      const [only] = batch as [Declared];
      check(only.suite, only.def, only.body, only.client);
    } else if (batch.length > 1) {
      // Each check of the batch named in an annotation: the reporter counts the run's checks by
      // them, and reports one that got no verdict (the batch cut short) as not run.
      test(`${batch.length} checks: ${[...new Set(batch.map((b) => b.def.id))].join(', ')}`, { annotation: batch.map((b) => ({ type: BATCH_MEMBER, description: JSON.stringify(identity(b)) })) }, ({ run, sessions, session }, testInfo) => runBatch(batch, { run, sessions, session }, testInfo));
    }
  });
}

/** Clients that authenticate with a secret. */
export function confidential(profile: TargetProfile): ClientSpec[] {
  return profile.clients.filter((c) => !c.public);
}

/** The profile, read at collection time so suites can make one test per client (the CLI's, read
 *  once per process: src/session/run-inputs.ts). */
export function collectProfile(env: NodeJS.ProcessEnv = process.env): TargetProfile {
  return readRunInputs(env).profile;
}

export { fail, skip };
