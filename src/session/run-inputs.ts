// What the CLI read and checked before the run (the target profile, the scenarios), handed to
// Playwright's runner and to each worker as one JSON file in the run's private folder. Without it
// every one of those processes read the YAML again and validated it again, loading yaml, zod and
// the configuration importer on the way to its first check: 0.6 s from the CLI's start to the
// first check on 2 cores, measured side by side (10 of 10 pairs). The values are the CLI's, so
// the suites judge exactly what the CLI checked.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TargetProfile } from '../model/target.ts';
import type { Scenario } from '../scenarios/schema.ts';

/** The variable naming the file (set by the CLI for the runner, inherited by the workers). */
export const RUN_INPUTS_ENV = 'HARNESS_RUN_INPUTS';

export interface RunInputs {
  /** The target profile as loadProfile returned it (clients' plaintext secrets included). */
  profile: TargetProfile;
  /** The scenarios of the `scenarios/` folder, as loadScenarios returned them. */
  scenarios: Scenario[];
}

/** Writes `inputs` to `file`, readable by this user only: the profile holds client secrets. */
export function writeRunInputs(file: string, inputs: RunInputs): void {
  writeFileSync(file, JSON.stringify(inputs), { mode: 0o600 });
}

const read = new Map<string, RunInputs>();
let listing: RunInputs | undefined;

/** For Playwright started by hand (`npx playwright test --list`): the default target's profile and
 *  the scenarios, read in this process, so that the suites can still be collected and listed.
 *  Loads the configuration importer, which a run started by the CLI never does. `root`: the
 *  project folder. Running checks still needs the CLI (src/session/run.ts). */
export async function readDefaultInputsForListing(root: string): Promise<void> {
  const [{ loadProfile }, { loadScenarios }] = await Promise.all([import('../config/profile.ts'), import('../scenarios/schema.ts')]);
  listing = { profile: loadProfile(path.join(root, 'docker/reference'), { verifyDigests: false }), scenarios: loadScenarios(path.join(root, 'scenarios')) };
}

/** The run's inputs, read once per process. `use`: `collect` (loading the suites) also takes those
 *  readDefaultInputsForListing read; `run` (running checks) only the CLI's. Throws when there are
 *  none: the checks run only through `npm run conformance`, which starts the provider they judge. */
export function readRunInputs(env: NodeJS.ProcessEnv = process.env, use: 'collect' | 'run' = 'collect'): RunInputs {
  const file = env[RUN_INPUTS_ENV];
  if (!file && use === 'collect' && listing) return listing;
  if (!file) throw new Error(`${RUN_INPUTS_ENV} is not set: run the suites through \`npm run conformance\``);
  let inputs = read.get(file);
  if (!inputs) read.set(file, (inputs = JSON.parse(readFileSync(file, 'utf8')) as RunInputs));
  return inputs;
}

/** Points `env`'s temp folder (TMPDIR, which os.tmpdir() reads on every call) into the run's
 *  private folder, beside the inputs file, and returns it; undefined outside a conformance run.
 *  Called before a worker launches its browser: Playwright makes the browser's profile and
 *  artifacts folders in the temp folder and removes them only when the browser is closed, so a
 *  run interrupted while a check waited (its processes killed after the grace period) left them
 *  in /tmp. In the private folder they go with it, however the run ends (src/cli/private-dir.ts). */
export function useRunTempDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env[RUN_INPUTS_ENV];
  if (!file) return undefined;
  const dir = path.join(path.dirname(file), 'tmp');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  env.TMPDIR = dir;
  return dir;
}
