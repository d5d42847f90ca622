import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { tempDir } from '../../test/thrown.ts';
import { writeResults } from '../../test/cli-run.ts';
import { compareRuns } from './compare-runs.ts';

const root = tempDir('harness-compare-');
const run = (name: string, outcomes: Record<string, string>) => writeResults(path.join(root, name), outcomes);

describe('compare', () => {
  it('the same verdicts: exit 0, one line per run', () => {
    const a = run('a', { 'x.one': 'passed', 'x.two': 'skipped' });
    const b = run('b', { 'x.two': 'skipped', 'x.one': 'passed' });
    expect(compareRuns([a, b])).toEqual({ code: 0, lines: [`${b}: the same 2 verdicts as ${a}`] });
  });
  it('a verdict that moved: exit 1, naming it with both outcomes', () => {
    const a = run('c', { 'x.one': 'passed' });
    const b = run('d', { 'x.one': 'failed' });
    const out = compareRuns([a, b]);
    expect(out.code).toBe(1);
    expect(out.lines.join('\n')).toMatch(/x\.one: was passed, now failed/);
  });
  it('too few folders: usage, exit 2', () => {
    expect(compareRuns(['only']).code).toBe(2);
  });
});
