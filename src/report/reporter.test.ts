import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FullConfig, FullResult, Suite, TestCase, TestResult } from 'playwright/types/testReporter';
import { BATCH_MEMBER, type CheckResult } from '../model/check.ts';
import HarnessReporter from './reporter.ts';
import { removeEmptyDirs } from './empty-dirs.ts';
import { writeVerdicts } from './expected.ts';
import type { JsonReport } from './json.ts';

const SECRET = 'evidence-secret-9000';
const PASSWORD = 'user-pw-123!';

type Annotation = { type: string; description?: string };

function testCase(title: string, annotations: Annotation[], id = title): TestCase {
  return { id, title, annotations, location: { file: '/suites/code-flow.spec.ts', line: 1, column: 1 } } as unknown as TestCase;
}

function annotationsFor(suite: string, severity: string, client?: string): Annotation[] {
  return [
    { type: 'severity', description: severity },
    { type: 'spec', description: 'OIDC Core §3.1' },
    { type: 'suite', description: suite },
    ...(client ? [{ type: 'client', description: client }] : []),
  ];
}

function testResult(status: TestResult['status'], attached?: Partial<CheckResult>, extra: Partial<TestResult> = {}): TestResult {
  const attachments = attached ? [{ name: 'check-result', contentType: 'application/json', body: Buffer.from(JSON.stringify(attached)) }] : [];
  return { status, attachments, duration: 1234, errors: [], annotations: [], retry: 0, ...extra } as unknown as TestResult;
}

function result(id: string, over: Partial<CheckResult>): CheckResult {
  return { id, title: `title of ${id}`, severity: 'failure', spec: 'OIDC Core §3.1', suite: 'code-flow', client: 'app', outcome: 'passed', evidence: [], durationMs: 0, ...over };
}

describe('HarnessReporter', () => {
  let dir: string;
  let out: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'report-test-'));
    const secretsFile = path.join(dir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify([SECRET, PASSWORD]));
    process.env.HARNESS_SECRETS_FILE = secretsFile;
    process.env.HARNESS_RUN_META = JSON.stringify({ target: 'reference', issuer: 'https://op.example', profileFile: '/p.yml', claimsProfile: 'oidc-core', startedAt: '2025-01-01T00:00:00.000Z' });
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(): Promise<{ json: JsonReport; xml: string; html: string; reportDir: string }> {
    const reportDir = path.join(dir, 'report');
    const reporter = new HarnessReporter({ outputDir: reportDir });
    // Under the CLI (HARNESS_RUN_META): the console's reporter, so Playwright adds none of its own.
    expect(reporter.printsToStdio()).toBe(true);

    const tests: [TestCase, TestResult][] = [];
    const add = (t: TestCase, r: TestResult) => tests.push([t, r]);

    add(testCase('cf.pass passes', annotationsFor('code-flow', 'failure', 'app')), testResult('passed', result('cf.pass', { outcome: 'passed' })));
    add(testCase('cf.warn warns', annotationsFor('code-flow', 'warning', 'app')), testResult('passed', result('cf.warn', { outcome: 'warning', severity: 'warning', message: 'slow' })));
    add(
      testCase('cf.fail fails', annotationsFor('code-flow', 'failure', 'app')),
      testResult('failed', result('cf.fail', {
        outcome: 'failed',
        message: `token endpoint rejected ${SECRET}`,
        expected: 200,
        observed: 401,
        durationMs: 55,
        evidence: [{ label: 'token', http: { request: { method: 'POST', url: 'https://op.example/token', headers: { authorization: `Basic ${Buffer.from(`app:${SECRET}`).toString('base64')}` }, body: `grant_type=authorization_code&code=abc&password=${encodeURIComponent(PASSWORD)}&note=${SECRET}` }, response: { status: 401, body: JSON.stringify({ error: 'invalid_client', echoed: SECRET }) } } }],
      }), { error: { message: 'cf.fail [app]: token endpoint rejected' } }),
    );
    add(
      testCase('cf.skip skips', annotationsFor('code-flow', 'failure', 'spa')),
      testResult('skipped', undefined, { annotations: [{ type: 'skip', description: 'client has no refresh_token grant' }] } as Partial<TestResult>),
    );
    add(
      testCase('id.crash crashes', annotationsFor('id-token', 'failure', 'app')),
      testResult('failed', undefined, { error: { message: `\u001b[31mTypeError: cannot read x of undefined ${SECRET}\u001b[39m\n    at foo (bar.ts:1:1)` } }),
    );
    add(testCase('id.timeout times out', annotationsFor('id-token', 'warning')), testResult('timedOut', undefined, { error: { message: 'Test timeout of 30000ms exceeded.' } }));
    // Retried: first attempt failed, last attempt passed; only the last counts.
    const retried = testCase('disc.flaky flaky', annotationsFor('discovery', 'failure'));
    add(retried, testResult('failed', undefined, { error: { message: 'first attempt' } }));
    add(retried, testResult('passed', result('disc.flaky', { suite: 'discovery', client: undefined, outcome: 'passed' })));
    // Recorded passed, then the test timed out: not a pass.
    add(testCase('disc.late late', annotationsFor('discovery', 'failure')), testResult('timedOut', result('disc.late', { suite: 'discovery', client: undefined }), { error: { message: 'Test timeout of 30000ms exceeded.' } }));

    const never = testCase('disc.never never ran', annotationsFor('discovery', 'failure'));
    const root = { allTests: () => [...new Set(tests.map(([t]) => t)), never] } as unknown as Suite;
    reporter.onBegin({} as FullConfig, root);
    for (const [t, r] of tests) reporter.onTestEnd(t, r);
    reporter.onEnd({ status: 'failed' } as FullResult);

    return {
      json: JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as JsonReport,
      xml: readFileSync(path.join(reportDir, 'junit.xml'), 'utf8'),
      html: readFileSync(path.join(reportDir, 'summary.html'), 'utf8'),
      reportDir,
    };
  }

  it('maps every kind of test to a check result', async () => {
    const { json } = await run();
    const byId = new Map(json.results.map((r) => [r.id, r]));
    expect(byId.get('cf.pass')).toMatchObject({ outcome: 'passed', durationMs: 1234 });
    expect(byId.get('cf.warn')).toMatchObject({ outcome: 'warning', severity: 'warning' });
    expect(byId.get('cf.fail')).toMatchObject({ outcome: 'failed', durationMs: 55, observed: 401 });
    expect(byId.get('cf.skip')).toMatchObject({ outcome: 'skipped', message: 'client has no refresh_token grant', title: 'skips', suite: 'code-flow', client: 'spa', severity: 'failure', spec: 'OIDC Core §3.1' });
    // Crashes, timeouts and checks that never ran are errors: no requirement was judged.
    expect(byId.get('id.crash')).toMatchObject({ outcome: 'error', suite: 'id-token', client: 'app', severity: 'failure', title: 'crashes' });
    expect(byId.get('id.crash')!.message).toBe('TypeError: cannot read x of undefined [REDACTED]');
    expect(byId.get('id.timeout')).toMatchObject({ outcome: 'error', severity: 'warning', message: 'timed out: Test timeout of 30000ms exceeded.' });
    expect(byId.get('disc.flaky')).toMatchObject({ outcome: 'passed' });
    expect(byId.get('disc.late')).toMatchObject({ outcome: 'error' });
    expect(byId.get('disc.never')).toMatchObject({ outcome: 'error', message: 'did not run (Playwright run failed)' });
    expect(json.summary).toEqual({ passed: 2, failed: 1, warning: 1, blocked: 0, error: 4, skipped: 1, total: 9 });
    expect(json.meta).toMatchObject({ target: 'reference', issuer: 'https://op.example', claimsProfile: 'oidc-core', startedAt: '2025-01-01T00:00:00.000Z', harnessVersion: '0.1.0' });
    expect(Date.parse(json.meta.finishedAt)).not.toBeNaN();
    // A kept report names the runtime its verdicts were made on.
    expect(json.meta.runtime).toBe(`Node.js ${process.version}`);
  });

  it("states the CLI's exit code for a target judged by its expected results, not its failing checks", async () => {
    const { json, html } = await run();
    expect(html).toMatch(/FAIL: \d+ failing checks \(exit 1\)/);
    const file = path.join(dir, 'expected-results.json');
    writeVerdicts(file, 'x', json.results);
    const meta = JSON.parse(process.env.HARNESS_RUN_META!) as Record<string, unknown>;
    const judged = (extra: Record<string, unknown>) => (process.env.HARNESS_RUN_META = JSON.stringify({ ...meta, expected: { file: 'expected-results.json', path: file, filtered: false, updating: false, ...extra } }));
    judged({});
    expect((await run()).html).toMatch(/PASS: verdicts match expected-results\.json, \d+ failing checks known \(exit 0\)/);
    const changed = JSON.parse(readFileSync(file, 'utf8')) as { verdicts: Record<string, string> };
    changed.verdicts['cf.pass [app]'] = 'failed';
    writeFileSync(file, JSON.stringify(changed));
    expect((await run()).html).toMatch(/FAIL: 1 verdict differs from expected-results\.json \(exit 1\)/);
    judged({ updating: true });
    expect((await run()).html).toMatch(/expected results written to expected-results\.json from this run, \d+ failing checks \(exit 0\)/);
  });

  it('keeps known secrets out of every file and the terminal summary', async () => {
    const { json, xml, html } = await run();
    for (const text of [JSON.stringify(json), xml, html, out]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
      expect(text).not.toContain(Buffer.from(`app:${SECRET}`).toString('base64'));
    }
    expect(JSON.stringify(json)).toContain('[REDACTED]');
    expect(xml).toContain('grant_type=authorization_code&amp;code=[REDACTED]');
  });

  it('prints a compact summary with one line per failure and the report path', async () => {
    const { reportDir } = await run();
    const lines = out.trimEnd().split('\n');
    // The start, one line per check (its verdict, never its message: no secret), then the summary.
    expect(lines[0]).toBe('Running 9 checks');
    const at = lines.findIndex((l) => l.startsWith('checks: '));
    expect(lines.slice(1, at)).toContain('[3/9] failed cf.fail [app]');
    for (const l of lines.slice(1, at)) expect(l).toMatch(/^\[\d+\/9\] (passed|failed|warning|blocked|error|skipped) [\w.-]+( \[[\w-]+\])?$/);
    expect(lines[at]).toBe('checks: 2 passed, 1 failed, 4 errors, 1 warnings, 1 skipped');
    expect(lines).toContain('FAIL cf.fail [app]: token endpoint rejected [REDACTED]');
    expect(lines).toContain('ERROR id.crash [app]: TypeError: cannot read x of undefined [REDACTED]');
    expect(lines.at(-1)).toBe(`report: ${path.join(reportDir, 'summary.html')}`);
  });

  it('writes and prints nothing when Playwright only listed the checks (nothing ran, nothing failed)', () => {
    delete process.env.HARNESS_RUN_META;
    const reportDir = path.join(dir, 'listed');
    const reporter = new HarnessReporter({ outputDir: reportDir });
    // Started by hand: Playwright's own reporters print (the list, progress, its summary).
    expect(reporter.printsToStdio()).toBe(false);
    const listed = testCase('cf.pass passes', annotationsFor('code-flow', 'failure', 'app'));
    reporter.onBegin({} as FullConfig, { allTests: () => [listed] } as unknown as Suite);
    reporter.onEnd({ status: 'passed' } as FullResult);
    expect(existsSync(reportDir)).toBe(false);
    expect(out).toBe('');
    // A run that failed before any check ended still reports every check as not run.
    reporter.onEnd({ status: 'failed' } as FullResult);
    expect(JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')).results[0]).toMatchObject({ id: 'cf.pass', outcome: 'error', message: 'did not run (Playwright run failed)' });
  });

  it('writes the reports as the last check ends (before the workers have closed), and again when an error comes after it', () => {
    const reportDir = path.join(dir, 'early');
    const file = path.join(reportDir, 'results.json');
    const reporter = new HarnessReporter({ outputDir: reportDir });
    const a = testCase('cf.pass passes', annotationsFor('code-flow', 'failure', 'app'));
    const b = testCase('cf.fail fails', annotationsFor('code-flow', 'failure', 'app'));
    reporter.onBegin({} as FullConfig, { allTests: () => [a, b] } as unknown as Suite);
    reporter.onTestEnd(a, testResult('passed', result('cf.pass', {})));
    expect(existsSync(file)).toBe(false);
    reporter.onTestEnd(b, testResult('failed', result('cf.fail', { outcome: 'failed', message: 'refused' })));
    expect((JSON.parse(readFileSync(file, 'utf8')) as JsonReport).summary).toMatchObject({ passed: 1, failed: 1, total: 2 });
    // A worker's teardown failing after the last check is an error the report must carry.
    reporter.onError({ message: 'worker teardown failed' });
    reporter.onEnd({ status: 'failed' } as FullResult);
    const json = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
    expect(json.results.map((r) => r.id).sort()).toEqual(['cf.fail', 'cf.pass', 'harness.error']);
    expect(out.match(/^checks: /gm)).toHaveLength(1);
  });

  it('keeps no report written at the last check when the run is then interrupted (the CLI gives none)', () => {
    const reportDir = path.join(dir, 'interrupted');
    const reporter = new HarnessReporter({ outputDir: reportDir });
    const a = testCase('cf.pass passes', annotationsFor('code-flow', 'failure', 'app'));
    reporter.onBegin({} as FullConfig, { allTests: () => [a] } as unknown as Suite);
    reporter.onTestEnd(a, testResult('passed', result('cf.pass', {})));
    expect(existsSync(path.join(reportDir, 'summary.html'))).toBe(true);
    reporter.onEnd({ status: 'interrupted' } as FullResult);
    for (const name of ['results.json', 'junit.xml', 'summary.html']) expect(existsSync(path.join(reportDir, name))).toBe(false);
    expect(out).not.toMatch(/^checks: /m);
  });

  it('reports each check of a batch test (several checks run as one Playwright test) with its own verdict, counting checks, not tests', () => {
    const reportDir = path.join(dir, 'batch');
    const reporter = new HarnessReporter({ outputDir: reportDir });
    const member = (id: string, client = 'app') => ({ type: BATCH_MEMBER, description: JSON.stringify({ id, title: `title of ${id}`, severity: 'failure', spec: 'OIDC Core §3.1', suite: 'id-token', client }) });
    const batch = testCase('3 checks: id.a, id.b, id.c', [member('id.a'), member('id.b'), member('id.c')]);
    const single = testCase('cf.pass passes', annotationsFor('code-flow', 'failure', 'app'));
    const never = testCase('2 checks: id.d, id.e', [member('id.d'), member('id.e')]);
    const batchResult = testResult('timedOut', undefined, { error: { message: 'Test timeout of 120000ms exceeded.' } });
    // id.a passed and id.b failed before the batch ran out of time; id.c has no verdict.
    batchResult.attachments.push(
      { name: 'check-result', contentType: 'application/json', body: Buffer.from(JSON.stringify(result('id.a', { suite: 'id-token' }))) },
      { name: 'check-result', contentType: 'application/json', body: Buffer.from(JSON.stringify(result('id.b', { suite: 'id-token', outcome: 'failed', message: 'kid missing' }))) },
    );
    reporter.onBegin({} as FullConfig, { allTests: () => [batch, single, never] } as unknown as Suite);
    expect(out).toBe('Running 6 checks\n');
    reporter.onTestEnd(single, testResult('passed', result('cf.pass', {})));
    reporter.onTestEnd(batch, batchResult);
    expect(out.split('\n').filter((l) => l.startsWith('['))).toEqual(['[1/6] passed cf.pass [app]', '[2/6] passed id.a [app]', '[3/6] failed id.b [app]', '[4/6] error id.c [app]']);
    reporter.onEnd({ status: 'failed' } as FullResult);
    const byId = new Map((JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as JsonReport).results.map((r) => [r.id, r]));
    expect(byId.get('id.a')).toMatchObject({ outcome: 'passed', client: 'app' });
    expect(byId.get('id.b')).toMatchObject({ outcome: 'failed', message: 'kid missing' });
    expect(byId.get('id.c')).toMatchObject({ outcome: 'error', suite: 'id-token', title: 'title of id.c', message: 'did not run: its batch stopped before it (timed out: Test timeout of 120000ms exceeded.)' });
    // A batch that never ran: every one of its checks is reported as not run.
    expect(byId.get('id.d')).toMatchObject({ outcome: 'error', message: 'did not run (Playwright run failed)' });
    expect(byId.get('id.e')).toMatchObject({ outcome: 'error', message: 'did not run (Playwright run failed)' });
    expect(byId.size).toBe(6);
  });

  it('reports a batch skipped as a whole as one skip per check, with the reason', () => {
    const reportDir = path.join(dir, 'batch-skip');
    const reporter = new HarnessReporter({ outputDir: reportDir });
    const member = (id: string) => ({ type: BATCH_MEMBER, description: JSON.stringify({ id, title: 't', severity: 'warning', spec: '', suite: 'cors' }) });
    const batch = testCase('2 checks: c.a, c.b', [member('c.a'), member('c.b')]);
    reporter.onBegin({} as FullConfig, { allTests: () => [batch] } as unknown as Suite);
    reporter.onTestEnd(batch, testResult('skipped', undefined, { annotations: [{ type: 'skip', description: 'no such endpoint' }] } as Partial<TestResult>));
    reporter.onEnd({ status: 'passed' } as FullResult);
    const results = (JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as JsonReport).results;
    expect(results.map((r) => [r.id, r.outcome, r.message, r.severity])).toEqual([['c.a', 'skipped', 'no such endpoint', 'warning'], ['c.b', 'skipped', 'no such endpoint', 'warning']]);
  });

  it('reads the output folder from HARNESS_REPORT_DIR and survives missing env', () => {
    const reportDir = path.join(dir, 'from-env');
    process.env.HARNESS_REPORT_DIR = reportDir;
    delete process.env.HARNESS_SECRETS_FILE;
    delete process.env.HARNESS_RUN_META;
    const reporter = new HarnessReporter();
    reporter.onTestEnd(testCase('cf.pass passes', annotationsFor('code-flow', 'failure', 'app')), testResult('passed', result('cf.pass', { outcome: 'passed' })));
    reporter.onEnd({ status: 'passed' } as FullResult);
    const json = JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as JsonReport;
    expect(json.summary.total).toBe(1);
    expect(json.meta.target).toBe('unknown');
    expect(out).toContain('checks: 1 passed, 0 failed, 0 warnings, 0 skipped');
  });
});

describe('removeEmptyDirs', () => {
  it("removes Playwright's empty per-test folders and keeps every folder that holds a file", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'harness-outdir-'));
    mkdirSync(path.join(root, 'a-test', 'nested'), { recursive: true });
    mkdirSync(path.join(root, 'b-test'));
    mkdirSync(path.join(root, 'kept', 'deep'), { recursive: true });
    writeFileSync(path.join(root, 'kept', 'deep', 'trace.zip'), 'x');
    expect(removeEmptyDirs(root)).toBe(false);
    expect(existsSync(path.join(root, 'a-test'))).toBe(false);
    expect(existsSync(path.join(root, 'b-test'))).toBe(false);
    expect(readFileSync(path.join(root, 'kept', 'deep', 'trace.zip'), 'utf8')).toBe('x');
    rmSync(path.join(root, 'kept'), { recursive: true });
    expect(removeEmptyDirs(root)).toBe(true);
    expect(existsSync(root)).toBe(false);
    expect(removeEmptyDirs(root)).toBe(false);
  });
});
