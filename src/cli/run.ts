// One conformance run: load the profile, start the provider and the relying parties, run the
// suites under Playwright Test, write the reports, stop everything (also on failure and Ctrl-C).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetProfile } from '../model/target.ts';
import type { CheckResult } from '../model/check.ts';
import { loadProfile } from '../config/profile.ts';
import { DeferredDigests } from '../config/digest.ts';
import { readSettings } from '../config/settings.ts';
import { knownSecrets } from '../report/redact.ts';
import { failingCount } from '../report/meta.ts';
import { launchOptions } from '../browser/launch.ts';
import { selectorsFor } from '../browser/drivers.ts';
import { startTarget } from '../targets/start.ts';
import { TLS_ENV } from '../targets/tls.ts';
import { loadScenarios } from '../scenarios/schema.ts';
import type { StartedTarget } from '../targets/types.ts';
import { startRelyingParties, type RelyingParties } from '../rp/server.ts';
import { createRedactor } from '../report/redact.ts';
import { compareVerdicts, formatChanges, readVerdicts, writeVerdicts, ExpectedResultsError, type VerdictChange } from '../report/expected.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_TARGET = path.join(ROOT, 'docker/reference');

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

/** A setup problem the user can fix: printed as one line, exit code 2. */
export class SetupError extends Error {}

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

export async function runConformance(options: RunOptions = {}): Promise<RunOutcome> {
  const started = Date.now();
  // pbkdf2 at Authelia's rounds is slow: the profile's secrets are checked against the digests
  // in the thread pool while the provider starts, and the run waits for them before any check.
  const digests = new DeferredDigests();
  const profile = resolveProfile(options, digests);
  try {
    launchOptions();
    selectorsFor(profile.login);
  } catch (err) {
    throw new SetupError(`${profile.file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Every scenario file checked before anything starts: a mistake is one line and exit 2.
  loadScenarios(path.join(ROOT, 'scenarios'));
  const reportDir = path.resolve(options.reportDir ?? path.join(ROOT, 'reports', `${stamp(new Date())}-${profile.name}`));
  let expected;
  try {
    expected = profile.expectedResults && !options.updateExpected ? readVerdicts(profile.expectedResults) : undefined;
  } catch (err) {
    if (err instanceof ExpectedResultsError) throw new SetupError(err.message);
    throw err;
  }

  const stack: Array<() => Promise<void>> = [];
  // One cleanup, shared: an interrupt and the normal end may both ask for it, and neither may
  // exit the process before the other's stops (a container's removal) are done.
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      while (stack.length) await stack.pop()!().catch(() => undefined);
    })());
  let child: ChildProcess | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    void stopChild(child, signal)
      .then(cleanup)
      .then(() => process.exit(130));
  };
  // `on`, not `once`: a library's exit hook (signal-exit, under Testcontainers) re-raises the
  // signal when it sees itself as the only listener left, which would end the run before cleanup.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let target: StartedTarget;
    mkdirSync(reportDir, { recursive: true });
    // A container being started is stopped by the interrupt handler too: its stop is tracked
    // from the moment there is something to stop.
    let pendingStop: (() => Promise<void>) | undefined;
    stack.push(() => pendingStop?.() ?? Promise.resolve());
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
    // A mismatch is the ConfigError loading would have thrown: one line naming file and field, exit 2.
    await digests.settled();

    mkdirSync(reportDir, { recursive: true });
    // Secrets go to a private temp file, never into the report folder.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'oidc-harness-'));
    stack.push(async () => rmSync(tmp, { recursive: true, force: true }));
    const secretsFile = path.join(tmp, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify(knownSecrets(profile)), { mode: 0o600 });

    const notes = [...target.notes, ...rps.unserved.map((u) => `no live relying party at ${u.uri}: ${u.reason}`)];
    const env = {
      ...process.env,
      HARNESS_TARGET: profile.file,
      HARNESS_ISSUER: target.issuer,
      HARNESS_REPORT_DIR: reportDir,
      ...(options.reverse ? { HARNESS_REVERSE: '1' } : {}),
      ...(options.full ? { HARNESS_FULL: '1' } : {}),
      HARNESS_SECRETS_FILE: secretsFile,
      HARNESS_WORKERS: String(options.workers ?? readSettings(process.env).workers ?? profile.workers ?? 2),
      ...(target.tls ? { [TLS_ENV]: JSON.stringify(target.tls) } : {}),
      HARNESS_RUN_META: JSON.stringify({ target: profile.name, issuer: target.issuer, profileFile: profile.file, claimsProfile: profile.claimsProfile, startedAt: new Date(started).toISOString(), notes, ...(target.image ? { image: target.image } : {}) }),
    };
    const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('playwright/package.json')), 'cli.js');
    const args = [cli, 'test', '-c', path.join(ROOT, 'playwright.config.ts'), ...(options.grep ? ['--grep', options.grep] : [])];
    const code = await new Promise<number>((resolve, reject) => {
      // Its own process group, so an interrupt reaches Playwright's workers and browsers too.
      child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: options.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
      child.stdout?.resume();
      child.stderr?.resume();
      child.once('error', reject);
      child.once('exit', (c) => resolve(c ?? 1));
    });
    const results = readResults(reportDir);
    if (!results) throw new SetupError(`the suites did not write ${path.join(reportDir, 'results.json')} (Playwright exited with ${code})`);
    // A filter that matches nothing is a mistake in the command, not a run with no findings.
    if (options.grep && results.every((r) => r.id === 'harness.error') && results.some((r) => /No tests found/.test(r.message ?? ''))) {
      throw new SetupError(`--grep ${JSON.stringify(options.grep)} matches no check (check ids look like code.exchange, claims.no-leak; see the README's suites table)`);
    }
    const failing = failingCount(results);
    const base = { reportDir, results, issuer: target.issuer, wallMs: Date.now() - started, readyMs, ...(target.authorizations ? { authorizations: target.authorizations() } : {}) };
    if (profile.expectedResults && options.updateExpected) {
      writeVerdicts(profile.expectedResults, profile.name, results);
      console.log(`expected results written: ${path.relative(process.cwd(), profile.expectedResults)} (${results.length} verdicts)`);
      return { ...base, exitCode: 0 };
    }
    if (expected && profile.expectedResults) {
      // Judged against the checked-in verdicts: known deviations pass, any change fails.
      // With --grep only some checks ran: the others are not changes.
      const changes = compareVerdicts(expected, results).filter((c) => !options.grep || c.observed !== '(absent)');
      const file = path.relative(process.cwd(), profile.expectedResults);
      if (changes.length) console.log(formatChanges(changes, file));
      else console.log(`verdicts match ${file} (${failing} known failure(s))`);
      writeFileSync(path.join(reportDir, 'verdict-changes.json'), JSON.stringify({ expectedFile: file, changes }, null, 2));
      return { ...base, exitCode: changes.length ? 1 : 0, changes };
    }
    return { ...base, exitCode: failing > 0 ? 1 : 0 };
  } finally {
    await cleanup();
    // Interrupted: the run's own end must not report a verdict for a run that was cut short.
    if (interrupted) process.exit(130);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

const GRACE_MS = 5_000;

/** Interrupts Playwright's process group; kills it when it has not ended within GRACE_MS. */
async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is already gone
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  group(signal);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, GRACE_MS)))]);
  clearTimeout(timer);
  group('SIGKILL');
}

function readResults(dir: string): CheckResult[] | undefined {
  try {
    const json = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as { results?: CheckResult[] };
    return json.results;
  } catch {
    return undefined;
  }
}
