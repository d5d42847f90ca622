// Suites run under Playwright Test, started by `npm run conformance` (src/cli/main.ts), which
// starts the provider and the relying parties and passes them in through HARNESS_* variables
// (src/cli/suite-runner.ts).
// Workers launch their browser themselves when a check needs one (suites/harness.ts).

import { readdirSync } from 'node:fs';
import { defineConfig, type Project } from 'playwright/test';
import { receiveRunEnv } from './src/cli/run-env.ts';
import { readDefaultInputsForListing, RUN_INPUTS_ENV } from './src/session/run-inputs.ts';

// Started by the CLI before the provider is up: the run's environment comes on stdin (nothing
// below may read HARNESS_* before it is in).
await receiveRunEnv();
// Started by hand (`npx playwright test --list`): the suites are collected from the default target.
if (!process.env[RUN_INPUTS_ENV]) await readDefaultInputsForListing(new URL('.', import.meta.url).pathname);

const reportDir = process.env.HARNESS_REPORT_DIR ?? 'reports/adhoc';
const workers = Number(process.env.HARNESS_WORKERS ?? 2);

// --reverse: one project per suite, each depending on the suite after it, so the suites run in
// reverse order, and each check is dispatched on its own (a suite's checks spread over every
// worker, in whichever order the workers free up). Verdicts must be the same as in a normal run.
function reversed(): Project[] {
  const files = readdirSync(new URL('./suites', import.meta.url)).filter((f) => f.endsWith('.spec.ts')).sort().reverse();
  return files.map((file, i) => ({ name: file.replace(/\.spec\.ts$/, ''), testMatch: file, ...(i > 0 ? { dependencies: [files[i - 1]!.replace(/\.spec\.ts$/, '')] } : {}) }));
}

export default defineConfig({
  testDir: 'suites',
  testMatch: '**/*.spec.ts',
  // A suite's checks run in one worker, in order (a suite declares otherwise where its checks are
  // few and long: login.spec.ts). They then share that worker's login sessions and read-only
  // flows, and Playwright dispatches one test group per suite instead of one per check: in
  // interleaved pairs of default runs, 8% fewer requests to the provider and 0.9 s less on average.
  // Checks stay isolated (each makes or takes what it changes), which --reverse keeps proving.
  // --full dispatches each check on its own too: its checks that wait out a lifespan or a
  // consent duration would otherwise wait one after another in one worker, not side by side.
  fullyParallel: Boolean(process.env.HARNESS_REVERSE || process.env.HARNESS_FULL),
  workers,
  retries: 0,
  timeout: 30_000,
  outputDir: `${reportDir}/test-results`,
  reporter: [
    ['./src/report/reporter.ts', { outputDir: reportDir }],
    ['html', { outputFolder: `${reportDir}/playwright`, open: 'never' }],
  ],
  // Action and navigation bounds are set on each browser context the checks make
  // (src/browser/launch.ts newContext): `use:` reaches only Playwright Test's own fixtures.
  ...(process.env.HARNESS_REVERSE ? { projects: reversed() } : {}),
});
