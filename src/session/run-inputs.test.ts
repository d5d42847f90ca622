// The run's inputs reach Playwright's runner and workers as the CLI read them: one private file.
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../config/profile.ts';
import { loadScenarios } from '../scenarios/schema.ts';
import { readRunInputs, RUN_INPUTS_ENV, useRunTempDir, writeRunInputs } from './run-inputs.ts';
import { tempDir } from '../../test/thrown.ts';

const dir = tempDir('run-inputs-');
const ROOT = path.resolve(import.meta.dirname, '../..');

describe('run inputs', () => {
  it('hand over the reference profile and the scenarios unchanged, in a file only this user can read', () => {
    const profile = loadProfile(path.join(ROOT, 'docker/reference'), { verifyDigests: false });
    const scenarios = loadScenarios(path.join(ROOT, 'scenarios'));
    const file = path.join(dir, 'inputs.json');
    writeRunInputs(file, { profile, scenarios });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const read = readRunInputs({ [RUN_INPUTS_ENV]: file });
    expect(read.profile).toEqual(JSON.parse(JSON.stringify(profile)));
    expect(read.profile.clients.map((c) => c.id)).toEqual(profile.clients.map((c) => c.id));
    expect(read.scenarios).toEqual(JSON.parse(JSON.stringify(scenarios)));
    // Read once per process: every suite file asks at load.
    expect(readRunInputs({ [RUN_INPUTS_ENV]: file })).toBe(read);
  });

  it('say how to run the suites when the CLI did not start this process', () => {
    expect(() => readRunInputs({})).toThrow('HARNESS_RUN_INPUTS is not set: run the suites through `npm run conformance`');
  });

  it("put a run's temporary folders (the browser's profile and artifacts) into its private folder", () => {
    const env: NodeJS.ProcessEnv = { [RUN_INPUTS_ENV]: path.join(dir, 'inputs.json'), TMPDIR: '/tmp' };
    const tmp = useRunTempDir(env);
    expect(tmp).toBe(path.join(dir, 'tmp'));
    expect(env.TMPDIR).toBe(tmp);
    expect(statSync(tmp!).isDirectory()).toBe(true);
    // Outside a conformance run nothing changes.
    const plain: NodeJS.ProcessEnv = { TMPDIR: '/tmp' };
    expect(useRunTempDir(plain)).toBeUndefined();
    expect(plain.TMPDIR).toBe('/tmp');
  });
});
