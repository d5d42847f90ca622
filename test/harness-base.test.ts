// suites/harness.ts builds the checks on Playwright Test's bare runner (`_baseTest`, in
// Playwright's own types) instead of the full `test`, whose per-test browser fixtures cost half
// the CPU of a run and which the checks do not use. A Playwright upgrade that drops the export
// must fail here, not slow or break every run.
import { describe, expect, it } from 'vitest';
import * as pw from 'playwright/test';

describe('Playwright Test base runner', () => {
  it('is exported and extendable', () => {
    expect(typeof pw._baseTest).toBe('function');
    expect(typeof pw._baseTest.extend).toBe('function');
  });
});
