// How registered checks run (suites/check-run.ts): alone, or several as one Playwright test (a
// batch), each with its own verdict, bound and check-result attachment. Driven here with a
// hand-made TestInfo; the default run (test/cli.test.ts) drives the batches through Playwright.

import { describe, expect, it } from 'vitest';
import { allowTime, runBatch, runCheck, type CheckFixtures, type Declared, type RunningTest } from '../suites/check-run.ts';
import { fail, skip } from '../src/checks/verdict.ts';
import { createRedactor } from '../src/report/redact.ts';
import type { CheckResult } from '../src/model/check.ts';

const SECRET = 'batch-secret-77';

const fx = { run: { redactor: createRedactor([SECRET]), profile: {} } } as unknown as CheckFixtures;

function fakeTest(timeout: number) {
  const t = {
    timeout,
    annotations: [] as Array<{ type: string; description?: string }>,
    attachments: [] as Array<{ name: string; contentType: string; body?: Buffer }>,
    expectedFailure: false,
    skipped: undefined as string | undefined,
    setTimeout(ms: number) {
      t.timeout = ms;
    },
    fail() {
      t.expectedFailure = true;
    },
    skip(_condition: boolean, description: string) {
      t.skipped = description;
      // Playwright's skip ends the test by throwing.
      throw new Error('skipped');
    },
  };
  return t;
}

const recorded = (t: ReturnType<typeof fakeTest>): CheckResult[] => t.attachments.map((a) => JSON.parse(a.body!.toString('utf8')) as CheckResult);

function declared(id: string, body: Declared['body'], severity: 'failure' | 'warning' = 'failure'): Declared {
  return { suite: 's', def: { id, title: `title of ${id}`, severity, spec: 'OIDC Core §3.1.2.1' }, body, client: { id: 'app' } as Declared['client'] };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a batch (several checks as one Playwright test)', () => {
  it('judges and records each check on its own; provider failures make it an expected failure naming each', async () => {
    const t = fakeTest(1000);
    const batch = [
      declared('a.pass', async () => undefined),
      declared('b.fail', async () => fail({ message: `kid missing in ${SECRET}`, expected: 'kid', observed: '(absent)' })),
      declared('c.skip', async () => skip('no refresh token grant')),
      declared('d.warn', async () => fail({ message: 'typ is ID+JWT' }), 'warning'),
      declared('e.pass', async () => [{ label: 'table', data: { ok: true } }]),
    ];
    const thrown = await runBatch(batch, fx, t as unknown as RunningTest).then(() => undefined, (err: unknown) => err);
    expect(recorded(t).map((r) => [r.id, r.outcome])).toEqual([['a.pass', 'passed'], ['b.fail', 'failed'], ['c.skip', 'skipped'], ['d.warn', 'warning'], ['e.pass', 'passed']]);
    expect(recorded(t)[4]!.evidence).toEqual([{ label: 'table', data: { ok: true } }]);
    expect(t.expectedFailure).toBe(true);
    expect(t.annotations).toContainEqual({ type: 'verdict', description: 'failed (provider checks)' });
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe('b.fail [app]: kid missing in [REDACTED]\n  expected: "kid"\n  observed: "(absent)"');
    expect(t.annotations).toContainEqual({ type: 'warning', description: 'd.warn [app]: typ is ID+JWT' });
    expect(t.annotations).toContainEqual({ type: 'skipped', description: 'c.skip [app]: no refresh token grant' });
    expect(JSON.stringify(t.attachments.map((a) => a.body!.toString()))).not.toContain(SECRET);
  });

  it('a check over its bound is an error; the next one starts once its body has ended, never beside it (ended, it leaves nothing running: the worker is kept)', async () => {
    const t = fakeTest(60);
    let slowEnded = 0;
    let afterStarted = 0;
    const batch = [
      declared('slow', async () => {
        await delay(80);
        slowEnded = Date.now();
      }),
      declared('after', async () => void (afterStarted = Date.now())),
    ];
    const thrown = await runBatch(batch, fx, t as unknown as RunningTest).then(() => undefined, (err: unknown) => err);
    expect(recorded(t).map((r) => [r.id, r.outcome, r.message])).toEqual([['slow', 'error', 'timed out after 60 ms'], ['after', 'passed', undefined]]);
    // Both used the worker's sessions and pages: alone, the slow one's worker would have ended.
    expect(slowEnded).toBeGreaterThan(0);
    expect(afterStarted).toBeGreaterThanOrEqual(slowEnded);
    expect(t.expectedFailure).toBe(true);
    expect((thrown as Error).message).toMatch(/^slow \[app\]: timed out after 60 ms$/);
  });

  it('a check still running a bound after its own bound leaves the rest of its batch unrun, each an error saying why', async () => {
    const t = fakeTest(40);
    let ran = false;
    const batch = [declared('slow', async () => void (await delay(400))), declared('after', async () => void (ran = true)), declared('last', async () => void (ran = true))];
    const started = Date.now();
    const thrown = await runBatch(batch, fx, t as unknown as RunningTest).then(() => undefined, (err: unknown) => err);
    expect(Date.now() - started).toBeLessThan(300);
    expect(ran).toBe(false);
    const why = 'did not run: slow [app] ran over its bound and had not ended 40 ms later';
    expect(recorded(t).map((r) => [r.id, r.outcome, r.message])).toEqual([['slow', 'error', 'timed out after 40 ms'], ['after', 'error', why], ['last', 'error', why]]);
    expect((thrown as Error).message).toBe(`slow [app]: timed out after 40 ms\n\nafter [app]: ${why}\n\nlast [app]: ${why}`);
  });

  it('allowTime gives the running check the time its wait needs, and the batch the room for it', async () => {
    const t = fakeTest(40);
    const batch = [
      declared('waits', async () => {
        allowTime(400);
        await delay(120);
      }),
      declared('next', async () => undefined),
    ];
    await runBatch(batch, fx, t as unknown as RunningTest);
    expect(recorded(t).map((r) => r.outcome)).toEqual(['passed', 'passed']);
    expect(t.timeout).toBe(40 * 3 + 400);
    expect(() => allowTime(10)).toThrow(/body of a running check/);
  });

  it('without a bound (Playwright\'s --timeout 0 or --debug), allowTime is no error and adds none', async () => {
    const t = fakeTest(0);
    await runBatch([declared('waits', async () => allowTime(400)), declared('next', async () => undefined)], fx, t as unknown as RunningTest);
    expect(recorded(t).map((r) => [r.id, r.outcome, r.message])).toEqual([['waits', 'passed', undefined], ['next', 'passed', undefined]]);
    expect(t.timeout).toBe(0);
    expect(() => allowTime(10)).toThrow(/body of a running check/);
  });

  it('a harness defect is an error with where it broke, and fails the batch outright', async () => {
    const t = fakeTest(1000);
    const batch = [declared('broken', async () => {
      throw new TypeError(`cannot read x (${SECRET})`);
    }), declared('fine', async () => undefined)];
    const thrown = await runBatch(batch, fx, t as unknown as RunningTest).then(() => undefined, (err: unknown) => err);
    const [broken, fine] = recorded(t);
    expect(broken).toMatchObject({ outcome: 'error', message: 'the harness could not run broken: cannot read x ([REDACTED])' });
    expect(broken!.evidence[0]).toMatchObject({ label: 'harness error' });
    expect(JSON.stringify(broken)).not.toContain(SECRET);
    expect(fine!.outcome).toBe('passed');
    expect(t.expectedFailure).toBe(false);
    expect(thrown).toBeInstanceOf(Error);
  });

  it('is skipped as a whole, with every reason, when every check was skipped', async () => {
    const t = fakeTest(1000);
    await runBatch([declared('x', async () => skip('no userinfo endpoint')), declared('y', async () => skip('public client'))], fx, t as unknown as RunningTest).catch(() => undefined);
    expect(t.skipped).toBe('x [app]: no userinfo endpoint; y [app]: public client');
    expect(recorded(t).map((r) => r.outcome)).toEqual(['skipped', 'skipped']);
  });
});

describe('a check as a test of its own', () => {
  it('records its verdict and ends its test to match: skipped, or failed as expected', async () => {
    const skipped = fakeTest(1000);
    await runCheck(declared('s', async () => skip('not configured')), fx, skipped as unknown as RunningTest).catch(() => undefined);
    expect(skipped.skipped).toBe('not configured');
    const failed = fakeTest(1000);
    await expect(runCheck(declared('f', async () => fail({ message: 'refused' })), fx, failed as unknown as RunningTest)).rejects.toThrow('f [app]: refused');
    expect(failed.expectedFailure).toBe(true);
    expect(recorded(failed)[0]).toMatchObject({ id: 'f', outcome: 'failed', message: 'refused' });
  });

  it('a check over its bound is the error it is in a batch, recorded before Playwright\'s own timeout (twice the bound) ends the test', async () => {
    const t = fakeTest(40);
    // Still running a bound later: thrown as it is, so that Playwright replaces the worker.
    await expect(runCheck(declared('slow', async () => void (await delay(400))), fx, t as unknown as RunningTest)).rejects.toThrow('slow: timed out after 40 ms');
    expect(t.timeout).toBe(40 * 2 + 40);
    expect(t.expectedFailure).toBe(false);
    expect(recorded(t).map((r) => [r.id, r.outcome, r.message])).toEqual([['slow', 'error', 'timed out after 40 ms']]);
    // Ended within the bound after: the same error verdict, and the worker kept, as in a batch
    // (the next check finds what the body left either way).
    const kept = fakeTest(40);
    await expect(runCheck(declared('late', async () => void (await delay(60))), fx, kept as unknown as RunningTest)).rejects.toThrow('late [app]: timed out after 40 ms');
    expect(kept.expectedFailure).toBe(true);
  });

  it('allowTime gives it the time its wait needs, and its test the room for it', async () => {
    const t = fakeTest(40);
    await runCheck(declared('w', async () => {
      allowTime(300);
      await delay(100);
    }), fx, t as unknown as RunningTest);
    expect(recorded(t).map((r) => r.outcome)).toEqual(['passed']);
    expect(t.timeout).toBe(40 * 2 + 300);
  });
});
