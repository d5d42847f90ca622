// One conformance run: load the profile, start the provider and the relying parties, run the
// suites under Playwright Test, write the reports, stop everything (also on failure and Ctrl-C).

import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TargetProfile } from '../model/target.ts';
import type { CheckResult } from '../model/check.ts';
import { loadProfile } from '../config/profile.ts';
import { ConfigError, shownPath } from '../config/errors.ts';
import { DeferredDigests } from '../config/digest.ts';
import { readSettings } from '../config/settings.ts';
import { knownSecrets } from '../report/redact.ts';
import { failingCount, type RunMeta } from '../report/meta.ts';
import { removeEmptyDirs } from '../report/empty-dirs.ts';
import { assertChromiumAvailable, namedBrowserFailure } from '../browser/launch.ts';
import { selectorsFor } from '../browser/drivers.ts';
import { checkFaultsApply, startTarget } from '../targets/start.ts';
import { TLS_ENV } from '../targets/tls.ts';
import { loadScenarios } from '../scenarios/schema.ts';
import { RUN_INPUTS_ENV, writeRunInputs } from '../session/run-inputs.ts';
import { makePrivateDir } from './private-dir.ts';
import { makeReportDir } from './report-dir.ts';
import type { StartedTarget } from '../targets/types.ts';
import { startRelyingParties, type RelyingParties } from '../rp/server.ts';
import { createRedactor } from '../report/redact.ts';
import { SetupError } from './setup-error.ts';
import { INTERRUPTS, interruptedExitCode } from './signals.ts';
import { startSuiteRunner, type SuiteRunner } from './suite-runner.ts';
import { formatChanges, judgedChanges, readVerdicts, writeVerdicts, ExpectedResultsError, type VerdictChange } from '../report/expected.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_TARGET = path.join(ROOT, 'docker/reference');
/** `node --import` this before a command of src/cli/ (as the npm scripts do): TypeScript loaded by
 *  Node itself where it can, else by tsx (src/cli/typescript.mjs). A file: URL, which `--import`
 *  reads (a plain path with `#` or `%` in it, or a drive letter, would not be found). */
export const TYPESCRIPT_HOOKS = pathToFileURL(path.join(ROOT, 'src/cli/typescript.mjs')).href;
/** Node's arguments for a command of src/cli/ (`script`: its path) as the npm scripts start it. */
export function commandArgs(script: string, ...args: string[]): string[] {
  return ['--import', TYPESCRIPT_HOOKS, script, ...args];
}

export interface RunOptions {
  target?: string;
  issuer?: string;
  workers?: number;
  grep?: string;
  reportDir?: string;
  /** Image under test for a container target (certify a given build); no build then. */
  image?: string;
  /** Build a container target's image even when it exists. */
  rebuild?: boolean;
  /** Rewrite the profile's expected-results file from this run instead of comparing. */
  updateExpected?: boolean;
  /** Run the suites one after another in reverse order, to show that no verdict depends on order. */
  reverse?: boolean;
  /** Certification: watch configured lifespans of up to FULL_MAX_WAIT_S run out, race refreshes. */
  full?: boolean;
  /** Where Playwright's own output goes (default: inherited). */
  stdio?: 'inherit' | 'pipe';
}

export interface RunOutcome {
  exitCode: number;
  reportDir: string;
  results: CheckResult[];
  issuer: string;
  wallMs: number;
  /** Start to ready, for container targets. */
  readyMs?: number;
  /** Verdicts that differ from the profile's expected-results file (when it has one). */
  changes?: VerdictChange[];
  /** Authorization requests the provider received, where it counts them (npm run bench). */
  authorizations?: number;
}

export { SetupError };

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/** The run's profile as the options name it. `digests`: where the secret digest checks go to be
 *  awaited later (default: checked before this returns). */
export function resolveProfile(options: RunOptions, digests?: DeferredDigests): TargetProfile {
  const profile = loadProfile(path.resolve(options.target ?? DEFAULT_TARGET), digests ? { verifyDigests: digests } : {});
  if (options.image) {
    if (profile.start.mode !== 'container') throw new SetupError(`--image: ${profile.file} is not a container target (start.mode ${profile.start.mode})`);
    const { build: _build, ...rest } = profile.start;
    return { ...profile, start: { ...rest, image: options.image } };
  }
  if (!options.issuer) return profile;
  return { ...profile, start: { mode: 'url' }, issuer: options.issuer };
}

/** Everything checked before anything starts: the profile (its digests checked later, in the
 *  thread pool while the runner collects the suites: pbkdf2 at Authelia's rounds is slow), the login driver,
 *  every scenario file, the expected results (and --update-expected has a file to write), the
 *  HARNESS_* settings and whether the faults they switch on apply (the browser: checkBrowser).
 *  A mistake is one line and exit 2. `ownReportDir`: the report folder does not exist yet (this
 *  run makes it, and may remove it). */
function checkSetup(options: RunOptions) {
  const settings = readSettings(process.env);
  const digests = new DeferredDigests();
  const profile = resolveProfile(options, digests);
  checkFaultsApply(profile, settings.faults);
  // --update-expected on a target without the file did nothing, silently.
  if (options.updateExpected && !profile.expectedResults) throw new ConfigError(profile.file, 'expected_results', 'not given, and --update-expected writes the run\'s verdicts to it (give its path, e.g. expected_results: ./expected-results.json)');
  try {
    selectorsFor(profile.login);
  } catch (err) {
    throw new SetupError(`${profile.file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const scenarios = loadScenarios(path.join(ROOT, 'scenarios'));
  const reportDir = path.resolve(options.reportDir ?? path.join(ROOT, 'reports', `${stamp(new Date())}-${profile.name}`));
  const existing = existsSync(reportDir) ? statSync(reportDir) : undefined;
  if (existing && !existing.isDirectory()) throw new SetupError(`--report-dir ${reportDir}: not a folder`);
  try {
    const expected = profile.expectedResults && !options.updateExpected ? readVerdicts(profile.expectedResults) : undefined;
    return { settings, digests, profile, scenarios, reportDir, ownReportDir: !existing, expected };
  } catch (err) {
    if (err instanceof ExpectedResultsError) throw new SetupError(err.message);
    throw err;
  }
}

/** That there is a Chromium to launch (one line, exit 2, when not). When no system Chromium
 *  answers it, finding Playwright's own means loading Playwright (about a CPU-second): done where the
 *  CLI would otherwise wait, before a container target's start (minutes) and while the suites load
 *  for the others. */
function checkBrowser(profile: TargetProfile): void {
  try {
    assertChromiumAvailable();
  } catch (err) {
    throw new SetupError(`${profile.file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** One conformance run. `suites`: Playwright's runner, when the caller started it already (the
 *  CLI does, before loading this module: startSuiteRunner); else it is started here first. Either
 *  way it is stopped on every way out. */
export async function runConformance(options: RunOptions = {}, suites: SuiteRunner = startSuiteRunner(options)): Promise<RunOutcome> {
  const started = Date.now();
  let setup;
  try {
    setup = checkSetup(options);
  } catch (err) {
    await suites.stop();
    throw err;
  }
  const { settings, digests, profile, scenarios, reportDir, ownReportDir, expected } = setup;
  // A report folder this run made holds nothing worth keeping when the run never judged the
  // provider: removed after an interrupt or a --grep matching nothing ('remove'), emptied of empty
  // folders after any other error ('prune': a container's log stays).
  let leftover: 'remove' | 'prune' | undefined;

  const stack: Array<() => Promise<void>> = [];
  // One cleanup, shared: an interrupt and the normal end may both ask for it, and neither may
  // exit the process before the other's stops (a container's removal) are done.
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      while (stack.length) await stack.pop()!().catch(() => undefined);
    })());
  // Stopped last on the way out (it has ended already when the run got that far).
  stack.push(() => suites.stop());
  let interrupted: NodeJS.Signals | undefined;
  // Cut short (Ctrl-C, a kill, the terminal closed): everything started is stopped, no verdict or
  // report is given for a run that did not finish, and the exit code is 128 + the signal's number.
  const endInterrupted = (signal: NodeJS.Signals): never => {
    if (ownReportDir) rmSync(reportDir, { recursive: true, force: true });
    process.stderr.write(`interrupted (${signal}): everything the run started is stopped; no report\n`);
    process.exit(interruptedExitCode(signal));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    // Playwright's runner is stopped as by Ctrl-C whatever the signal: it closes its browsers.
    void suites
      .stop('SIGINT')
      .then(cleanup)
      .then(() => endInterrupted(signal));
  };
  // `on`, not `once`: a library's exit hook (signal-exit, under Testcontainers) re-raises the
  // signal when it sees itself as the only listener left, which would end the run before cleanup.
  for (const signal of INTERRUPTS) process.on(signal, onSignal);
  // `npm run` starts the CLI under `sh -c`, and that shell dies of a SIGTERM sent to npm without
  // passing it on: the CLI, handed to init, would run on unseen (and its caller's lock released).
  // Its parent gone is that kill, read here as the SIGTERM it was.
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) onSignal('SIGTERM');
  }, 250);
  orphanWatch.unref();

  try {
    let target: StartedTarget;
    makeReportDir(reportDir);
    // A container being started is stopped by the interrupt handler too: its stop is tracked
    // from the moment there is something to stop.
    let pendingStop: (() => Promise<void>) | undefined;
    stack.push(() => pendingStop?.() ?? Promise.resolve());
    if (profile.start.mode === 'container') checkBrowser(profile);
    const targetStarted = Date.now();
    try {
      target = await startTarget(profile, undefined, { reportDir, redact: createRedactor(knownSecrets(profile)).text, ...(options.rebuild ? { rebuild: true } : {}), track: (stop) => (pendingStop = stop) });
    } catch (err) {
      throw new SetupError(`${profile.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    stack.push(() => target.stop());
    const readyMs = target.readyMs ?? Date.now() - targetStarted;
    let rps: RelyingParties;
    try {
      rps = await startRelyingParties(profile.clients);
    } catch (err) {
      throw new SetupError(err instanceof Error ? err.message : String(err));
    }
    stack.push(() => rps.stop());

    // Secrets go to a private temp folder, never into the report folder: the secrets to redact, and
    // the run's inputs for Playwright's runner and workers (the profile holds them too).
    const tmp = makePrivateDir();
    stack.push(async () => rmSync(tmp, { recursive: true, force: true }));
    const secretsFile = path.join(tmp, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify(knownSecrets(profile)), { mode: 0o600 });
    const inputsFile = path.join(tmp, 'inputs.json');
    writeRunInputs(inputsFile, { profile, scenarios });

    const notes = [...target.notes, ...rps.unserved.map((u) => `no live relying party at ${u.uri}: ${u.reason}`)];
    const env: Record<string, string> = {
      [RUN_INPUTS_ENV]: inputsFile,
      HARNESS_ISSUER: target.issuer,
      HARNESS_REPORT_DIR: reportDir,
      ...(options.reverse ? { HARNESS_REVERSE: '1' } : {}),
      ...(options.full ? { HARNESS_FULL: '1' } : {}),
      // A filter selects checks, --reverse dispatches each on its own, --full waits side by side:
      // each check its own Playwright test, not batched by describe block (suites/harness.ts).
      ...(options.grep || options.reverse || options.full ? { HARNESS_CHECK_PER_TEST: '1' } : {}),
      HARNESS_SECRETS_FILE: secretsFile,
      HARNESS_WORKERS: String(options.workers ?? settings.workers ?? profile.workers ?? 2),
      ...(target.tls ? { [TLS_ENV]: JSON.stringify(target.tls) } : {}),
      HARNESS_RUN_META: JSON.stringify({
        target: profile.name, issuer: target.issuer, profileFile: profile.file, claimsProfile: profile.claimsProfile, startedAt: new Date(started).toISOString(), notes,
        ...(target.image ? { image: target.image } : {}),
        ...(profile.expectedResults ? { expected: { file: shownPath(profile.expectedResults), path: profile.expectedResults, filtered: Boolean(options.grep), updating: Boolean(options.updateExpected) } } : {}),
      } satisfies Partial<RunMeta>),
    };
    suites.handOver(env);
    if (profile.start.mode !== 'container') checkBrowser(profile);
    // While the runner collects the suites (no check runs before that): a mismatch is the
    // ConfigError loading would have thrown, one line naming file and field, exit 2, and the
    // runner is stopped with everything else.
    await digests.settled();
    const code = await suites.exited;
    // Playwright's record of the run for its own --last-failed, written after the reports: the
    // harness has no use for it, and it kept an otherwise empty test-results/ in every report.
    rmSync(path.join(reportDir, 'test-results', '.last-run.json'), { force: true });
    removeEmptyDirs(path.join(reportDir, 'test-results'));
    const results = readResults(reportDir);
    // A filter that matches nothing is a mistake in the command, not a run with no findings
    // (Playwright passes with no tests, and the reporter writes nothing for them).
    if (options.grep && code === 0 && (!results || results.length === 0)) {
      leftover = 'remove';
      throw new SetupError(`--grep ${JSON.stringify(options.grep)} matches no check (check ids look like code.exchange, claims.no-leak; see the README's suites table)`);
    }
    if (!results) throw new SetupError(`the suites did not write ${path.join(reportDir, 'results.json')} (Playwright exited with ${code})`);
    // HARNESS_CHROMIUM names an executable that is not a browser: known only when a worker launched it.
    const browser = namedBrowserFailure(results.map((r) => r.message));
    if (browser) throw new SetupError(browser);
    const failing = failingCount(results);
    const base = { reportDir, results, issuer: target.issuer, wallMs: Date.now() - started, readyMs, ...(target.authorizations ? { authorizations: target.authorizations() } : {}) };
    if (profile.expectedResults && options.updateExpected) {
      writeVerdicts(profile.expectedResults, profile.name, results);
      console.log(`expected results written: ${shownPath(profile.expectedResults)} (${results.length} verdicts)`);
      return { ...base, exitCode: 0 };
    }
    if (expected && profile.expectedResults) {
      // Judged against the checked-in verdicts: known deviations pass, any change fails.
      // With --grep only some checks ran: the others are not changes.
      const changes = judgedChanges(expected, results, Boolean(options.grep));
      const file = shownPath(profile.expectedResults);
      if (changes.length) console.log(formatChanges(changes, file));
      else console.log(`verdicts match ${file} (${failing} known failure(s))`);
      writeFileSync(path.join(reportDir, 'verdict-changes.json'), JSON.stringify({ expectedFile: file, changes }, null, 2));
      return { ...base, exitCode: changes.length ? 1 : 0, changes };
    }
    return { ...base, exitCode: failing > 0 ? 1 : 0 };
  } catch (err) {
    leftover ??= 'prune';
    throw err;
  } finally {
    await cleanup();
    // Interrupted: the run's own end must not report a verdict for a run that was cut short.
    if (interrupted) endInterrupted(interrupted);
    if (ownReportDir && leftover === 'remove') rmSync(reportDir, { recursive: true, force: true });
    else if (ownReportDir && leftover === 'prune') removeEmptyDirs(reportDir);
    for (const signal of INTERRUPTS) process.removeListener(signal, onSignal);
    clearInterval(orphanWatch);
  }
}

function readResults(dir: string): CheckResult[] | undefined {
  try {
    const json = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as { results?: CheckResult[] };
    return json.results;
  } catch {
    return undefined;
  }
}
