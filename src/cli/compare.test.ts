import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/thrown.ts';
import { writeResults } from '../../test/cli-run.ts';
import { commandArgs, ROOT } from './run.ts';

// The command itself (the comparison is tested in src/report/compare-runs.test.ts), started from a
// checkout whose path has a space and a `#`, reached through a symlink: it used to decide whether
// it was the main module from import.meta.url and process.argv[1], which differ there, and then
// printed nothing and exited 0.
describe('npm run compare', () => {
  const dir = tempDir('compare-entry-');
  const checkout = path.join(dir, 'a checkout #1');
  symlinkSync(ROOT, checkout);
  const compare = (args: string[]) => spawnSync(process.execPath, commandArgs(path.join(checkout, 'src/cli/compare.ts'), ...args), { encoding: 'utf8' });
  const report = (name: string, outcome: string) => writeResults(path.join(dir, name), { 'x.one': outcome });

  it('gives its usage and exit 2 without folders', () => {
    const run = compare([]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: npm run compare');
  });

  // npm runs the command in the package root: folders named from elsewhere were looked for there.
  it('reads relative folders from the folder npm was typed in (INIT_CWD)', () => {
    report('here-before', 'passed');
    report('here-after', 'failed');
    const run = spawnSync(process.execPath, commandArgs(path.join(checkout, 'src/cli/compare.ts'), 'here-before', 'here-after'), { encoding: 'utf8', cwd: ROOT, env: { ...process.env, INIT_CWD: dir } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/differ from here-before -> here-after:\n  x\.one: was passed, now failed/);
  });

  it('names a verdict that moved and exits 1', () => {
    const run = compare([report('before', 'passed'), report('after', 'failed')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/x\.one: was passed, now failed/);
  });
});
