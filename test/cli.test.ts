// The CLI end to end: bad input gives one line and exit 2 without a stack trace or a hang; a full
// run against a provider started by hand (an already-running provider) writes the three reports,
// with no known secret in anything the run wrote.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DEFAULT_TARGET, resolveProfile } from '../src/cli/run.ts';
import { startEmbedded } from '../src/targets/embedded/provider.ts';
import type { StartedTarget } from '../src/targets/types.ts';
import { knownSecrets } from '../src/report/redact.ts';
import { embeddedZipTexts, unzip } from '../src/report/zip.ts';

// Asynchronous: a provider started in this process must keep answering while the CLI runs.
function cli(args: string[], timeout = 120_000, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...extraEnv } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('bad input', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'harness-cli-'));
  const write = (name: string, text: string) => {
    const p = path.join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a missing profile', () => ['--target', path.join(tmp, 'nope.yml')], /nope\.yml.*not found/],
    ['a YAML syntax error', () => ['--target', write('syntax.yml', 'name: [unclosed\n')], /syntax\.yml/],
    ['an unknown field', () => ['--target', write('unknown.yml', 'name: x\nissuer: http://127.0.0.1:1\nbogus: 1\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:47999/cb"]}]\n')], /unknown\.yml.*bogus/],
    ['an unreachable issuer', () => ['--target', DEFAULT_TARGET, '--issuer', 'http://127.0.0.1:9'], /127\.0\.0\.1:9 did not answer discovery/],
    ['an unknown option', () => ['--frobnicate'], /frobnicate/],
  ];
  it.each(cases)('%s: one line, exit 2, no stack', async (_name, args, message) => {
    const r = await cli(args());
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('error:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('a run against an already-running provider', () => {
  let target: StartedTarget;
  let reportDir: string;
  let run: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    // Started by hand, outside the CLI, from the same profile the default run uses.
    target = await startEmbedded(resolveProfile({}));
    reportDir = mkdtempSync(path.join(os.tmpdir(), 'harness-report-'));
    run = await cli(['--target', DEFAULT_TARGET, '--issuer', target.issuer, '--report-dir', reportDir], 170_000);
  }, 180_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('passes every failure-severity check and exits 0', () => {
    expect(run.err.split('\n').filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(run.code, run.out.split('\n').filter((l) => l.startsWith('FAIL')).join('\n')).toBe(0);
  });

  it('writes JUnit, JSON and HTML reports naming the running provider', () => {
    const json = JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as { meta: { issuer: string }; results: Array<{ id: string; outcome: string }> };
    expect(json.meta.issuer).toBe(target.issuer);
    expect(json.results.length).toBeGreaterThan(50);
    expect(json.results.some((r) => r.id === 'login.ui-login-consent' && r.outcome === 'passed')).toBe(true);
    expect(readFileSync(path.join(reportDir, 'junit.xml'), 'utf8')).toMatch(/<testsuites[\s>]/);
    expect(readFileSync(path.join(reportDir, 'summary.html'), 'utf8')).toMatch(/discovery\.issuer-matches/);
  });

  it('leaves no known secret in anything the run wrote or printed', () => {
    const secrets = knownSecrets(resolveProfile({}));
    expect(secrets.length).toBeGreaterThan(2);
    const written = files(reportDir).map((f) => readFileSync(f, 'latin1'));
    // Playwright's HTML report keeps its data in a zip inside the page: read that too.
    const embedded = written.flatMap((text) => embeddedZipTexts(text));
    expect(embedded.length).toBeGreaterThan(0);
    expect(embedded.join("")).toMatch(/discovery\.issuer-matches/);
    const texts = [run.out, run.err, ...written, ...embedded];
    for (const secret of secrets) {
      for (const text of texts) expect(text.includes(secret), `secret ${secret.slice(0, 3)}… leaked`).toBe(false);
    }
    // Tokens and codes are redacted by pattern: no JWT survives either.
    for (const text of texts) expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/);
  });
});

describe('a failing UI check', () => {
  it('exits 1, names the check, and keeps a screenshot and a redacted trace as evidence', async () => {
    const reportDir = mkdtempSync(path.join(os.tmpdir(), 'harness-ui-'));
    const run = await cli(['--grep', 'login.consent-deny', '--report-dir', reportDir], 120_000, { HARNESS_EMBEDDED_FAULTS: 'consent-deny-ignored' });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/FAIL login\.consent-deny \[rustdesk\]: denying consent gave a code/);
    const json = JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as { results: Array<{ evidence: Array<{ file?: string }> }> };
    const attached = json.results.flatMap((r) => r.evidence.map((e) => e.file)).filter((f): f is string => Boolean(f));
    expect(attached.some((f) => f.startsWith('screenshots/') && f.endsWith('.png'))).toBe(true);
    const trace = attached.find((f) => f.startsWith('traces/'));
    expect(trace).toBeDefined();
    const entries = [...unzip(readFileSync(path.join(reportDir, trace!))).values()].map((b) => b.toString('latin1'));
    expect(entries.join('')).toMatch(/\[REDACTED\]/);
    for (const secret of knownSecrets(resolveProfile({}))) {
      for (const text of [...entries, run.out, run.err]) expect(text.includes(secret)).toBe(false);
    }
    expect(entries.join('')).not.toMatch(/[?&]code=(?!\[REDACTED\])/);
  }, 150_000);
});
