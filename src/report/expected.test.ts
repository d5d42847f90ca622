import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../model/check.ts';
import { compareVerdicts, ExpectedResultsError, formatChanges, readReasons, readVerdicts, verdictsOf, writeVerdicts } from './expected.ts';
import { tempDir } from '../../test/thrown.ts';

const result = (id: string, outcome: CheckResult['outcome'], client?: string): CheckResult =>
  ({ id, title: id, severity: 'failure', spec: 's', suite: 'x', outcome, evidence: [], durationMs: 1, ...(client ? { client } : {}) }) as CheckResult;

describe('expected verdicts', () => {
  const expected = { 'id-token.auth-time [myapp]': 'failed', 'discovery.issuer': 'passed' } as const;
  it('matches when every verdict is the same', () => {
    expect(compareVerdicts(expected, [result('id-token.auth-time', 'failed', 'myapp'), result('discovery.issuer', 'passed')])).toEqual([]);
  });
  it('fails on a regression and on an improvement alike', () => {
    const changes = compareVerdicts(expected, [result('id-token.auth-time', 'passed', 'myapp'), result('discovery.issuer', 'failed')]);
    expect(changes).toEqual([
      { key: 'discovery.issuer', expected: 'passed', observed: 'failed' },
      { key: 'id-token.auth-time [myapp]', expected: 'failed', observed: 'passed' },
    ]);
    expect(formatChanges(changes, 'expected-results.json')).toMatch(/2 verdict\(s\) differ from expected-results.json:\n  discovery.issuer: expected passed, observed failed/);
  });
  it('notices a check that appeared or vanished', () => {
    const changes = compareVerdicts(expected, [result('discovery.issuer', 'passed'), result('new.check', 'passed')]);
    expect(changes.map((c) => `${c.key}:${c.expected}->${c.observed}`)).toEqual(['id-token.auth-time [myapp]:failed->(absent)', 'new.check:(absent)->passed']);
  });
  it('round-trips through the file and refuses a malformed one', () => {
    const dir = tempDir('verdicts-');
    const file = path.join(dir, 'expected.json');
    const results = [result('b', 'failed', 'c1'), result('a', 'passed')];
    writeVerdicts(file, 'glewlwyd', results);
    expect(readVerdicts(file)).toEqual(verdictsOf(results));
    writeFileSync(file, JSON.stringify({ verdicts: { a: 'fine' } }));
    expect(() => readVerdicts(file)).toThrow(ExpectedResultsError);
    expect(() => readVerdicts(file)).toThrow(/verdicts.a: not an outcome: fine/);
  });
});

describe('reasons beside the verdicts', () => {
  it('are kept by --update-expected while their verdict is not a pass, dropped once it passes', () => {
    const file = path.join(tempDir('harness-reasons-'), 'expected.json');
    writeFileSync(file, JSON.stringify({ verdicts: {}, reasons: { 'a.one [x]': 'the provider ignores it', 'a.two': 'fixed since' } }));
    writeVerdicts(file, 't', [result('a.one', 'failed', 'x'), result('a.two', 'passed')]);
    expect(readReasons(file)).toEqual({ 'a.one [x]': 'the provider ignores it' });
    expect(readVerdicts(file)).toEqual({ 'a.one [x]': 'failed', 'a.two': 'passed' });
  });
});
