// Playwright's runner for one conformance run, started before anything else: Node, Playwright and
// the config load (about a second) while the CLI loads its own modules and starts the provider,
// instead of after. It waits in playwright.config.ts for the run's environment (issuer, report
// folder, workers ...), which the CLI hands over on its stdin once the provider is up
// (src/cli/run-env.ts). Until then it has loaded no suite and printed nothing, so a run that
// stops at setup shows only its own one-line error.

import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTERNAL_SETTINGS } from '../config/settings.ts';
import { RUN_ENV_FROM_STDIN } from './run-env.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GRACE_MS = 5_000;

export interface SuiteRunnerOptions {
  grep?: string;
  /** Where Playwright's own output goes (default: inherited). */
  stdio?: 'inherit' | 'pipe';
}

export interface SuiteRunner {
  /** Sends the run's environment (once): the runner then loads the suites and runs them. */
  handOver(env: Record<string, string>): void;
  /** Playwright's exit code (1 when it was ended by a signal). */
  readonly exited: Promise<number>;
  /** Interrupts the runner's process group (Playwright, its workers and their browsers) with
   *  `signal`, and kills it when it has not ended within 5 s. Resolves at once when it has ended. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `playwright test` with the project's config, in its own process group (an interrupt
 *  then reaches its workers and browsers too), waiting for handOver. */
export function startSuiteRunner(options: SuiteRunnerOptions = {}): SuiteRunner {
  const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('playwright/package.json')), 'cli.js');
  // A filter matching nothing is the CLI's to report (one line, exit 2), not Playwright's error.
  const args = [cli, 'test', '-c', path.join(ROOT, 'playwright.config.ts'), ...(options.grep ? ['--grep', options.grep, '--pass-with-no-tests'] : [])];
  const out = options.stdio === 'pipe' ? 'pipe' : 'inherit';
  const child = spawn(process.execPath, args, { cwd: ROOT, env: runnerEnv(process.env), detached: true, stdio: ['pipe', out, out] });
  child.stdout?.resume();
  child.stderr?.resume();
  // The runner may be gone (stopped, or failed to start) when the environment is written.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code) => resolve(code ?? 1));
  });
  let handed = false;
  return {
    handOver(env) {
      if (handed) throw new Error('the run environment was already handed over');
      handed = true;
      child.stdin?.write(`${JSON.stringify(env)}\n`);
    },
    exited,
    stop: (signal = 'SIGTERM') => stopGroup(child, signal),
  };
}

/** The runner's environment: the CLI's, without the settings only the CLI sets (INTERNAL_SETTINGS).
 *  One left over in the user's shell (HARNESS_FULL=1, say) would otherwise reach the workers, which
 *  would then run --full checks in a run the CLI reports as a default one; the CLI hands over
 *  those that apply to this run (handOver). */
export function runnerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of INTERNAL_SETTINGS) delete out[name];
  return { ...out, [RUN_ENV_FROM_STDIN]: 'stdin' };
}

async function stopGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
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
