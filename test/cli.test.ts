// The CLI end to end: bad input gives one line and exit 2 without a stack trace or a hang; a full
// run against a provider started by hand (an already-running provider) writes the three reports,
// with no known secret in anything the run wrote; everything started is stopped. One file, so its
// runs (which listen on the relying parties' fixed ports) never overlap.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DEFAULT_TARGET, resolveProfile } from '../src/cli/run.ts';
import { cli, portFree, processesWith, resultsOf, startCli } from './cli-run.ts';
import { startEmbedded } from '../src/targets/embedded/provider.ts';
import type { StartedTarget } from '../src/targets/types.ts';
import { knownSecrets } from '../src/report/redact.ts';
import { embeddedZipTexts, unzip } from '../src/report/zip.ts';
import { tempDir } from './thrown.ts';


/** Every CheckDef exported by src/checks (the `xxxChecks` records), by id. */
async function definedCheckIds(): Promise<string[]> {
  const dir = path.join(ROOT, 'src/checks');
  const ids = new Set<string>();
  const visit = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    const r = v as Record<string, unknown>;
    if (typeof r.id === 'string' && typeof r.title === 'string' && (r.severity === 'failure' || r.severity === 'warning')) ids.add(r.id);
    else if (!Array.isArray(v)) for (const x of Object.values(r)) visit(x);
  };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    visit(await import(path.join(dir, name)));
  }
  return [...ids].sort();
}


function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('bad input', () => {
  const tmp = tempDir('harness-cli-');
  const write = (name: string, text: string) => {
    const p = path.join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a missing profile', () => ['--target', path.join(tmp, 'nope.yml')], /nope\.yml.*not found/],
    ['a YAML syntax error', () => ['--target', write('syntax.yml', 'name: [unclosed\n')], /syntax\.yml/],
    ['an unknown field', () => ['--target', write('unknown.yml', 'name: x\nissuer: http://127.0.0.1:1\nbogus: 1\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\n')], /unknown\.yml.*bogus/],
    ['an unreachable issuer', () => ['--target', DEFAULT_TARGET, '--issuer', 'http://127.0.0.1:9'], /127\.0\.0\.1:9 did not answer discovery/],
    ['an unknown option', () => ['--frobnicate'], /frobnicate/],
    // The last one was kept silently.
    ['a repeated --grep', () => ['--grep', 'a', '--grep', 'b'], /^error: --grep: given more than once; give one pattern, with alternatives joined by \| \('a\|b'\)/],
    // Was "Option '--workers' argument is ambiguous." (parseArgs' question about a forgotten value).
    ['a negative --workers', () => ['--workers', '-1'], /^error: --workers: not a positive whole number: -1 \(/],
    ['a --grep that is not a regular expression', () => ['--grep', '['], /--grep "\[": not a regular expression/],
    // Not the package root (path.resolve('')), where the report went over the project's own files.
    ['an empty --report-dir', () => ['--report-dir', ''], /^error: --report-dir: empty; give a value or leave the option out \(npm run conformance -- --help lists the options\)$/],
    ['a --report-dir that is a file', () => ['--report-dir', write('a-file', 'x')], /--report-dir .*a-file: not a folder/],
    // mkdirSync(…, { recursive: true }) never returns for this path: the CLI spun, deaf to Ctrl-C.
    ['a --report-dir that cannot be made', () => ['--report-dir', '/proc/harness-no-such/report'], /--report-dir \/proc\/harness-no-such\/report: cannot make \/proc\/harness-no-such \(ENOENT\)/],
    // Did nothing, silently.
    ['--update-expected for a target with no expected_results', () => ['--update-expected'], /^error: docker\/reference\/target\.yml: expected_results: not given, and --update-expected writes the run's verdicts to it/],
    ['--image for a target that is not a container', () => ['--image', 'x/y:1'], /--image: .*not a container target/],
    ['a missing expected-results file', () => ['--target', write('expect.yml', 'name: x\nissuer: http://127.0.0.1:9\nexpected_results: ./missing.json\nlogin: {driver: embedded}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\n')], /missing\.json: not found/],
    // Caught only by the browser: an error on every check, exit 1, no file or field named.
    ['a login selector Playwright cannot parse', () => ['--target', write('selector.yml', 'name: x\nissuer: http://127.0.0.1:9\nlogin: {driver: form, selectors: {username: "###", password: "#p", submit: "#s"}}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\n')], /selector\.yml: login\.selectors\.username: not a selector Playwright can parse: Unexpected token "#" while parsing css selector "###"/],
    ['a container file that does not exist', () => ['--target', write('nofile.yml', 'name: x\nissuer: http://127.0.0.1:${PORT}\nstart: {mode: container, image: a/b:1, files: [{source: ./gone.conf, target: /etc/x}]}\nlogin: {driver: embedded}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\n')], /nofile\.yml.*start\.files\[0\]\.source.*gone\.conf/],
  ];
  it('a container target with no Docker engine: one line, exit 2, no stack', async () => {
    const r = await cli(['--target', path.join(ROOT, 'docker/glewlwyd')], 30_000, { DOCKER_HOST: `unix://${path.join(tmp, 'no-docker.sock')}` });
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('error:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/glewlwyd: no Docker engine answers/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  // npm runs the CLI in the package root, whichever folder it was typed in (INIT_CWD): a relative
  // --target was looked for in the root ('error: oidc-provider: not found' from docker/).
  it('a relative --target is read from the folder npm was typed in', async () => {
    mkdirSync(path.join(tmp, 'typed-in', 'here'), { recursive: true });
    writeFileSync(path.join(tmp, 'typed-in', 'here', 'target.yml'), 'name: x\n');
    const r = await cli(['--target', 'here'], 30_000, { INIT_CWD: path.join(tmp, 'typed-in') });
    expect(r.code).toBe(2);
    // Named as the user would type it, from that folder.
    expect(r.err.trim().split('\n')).toEqual(['error: here/target.yml: users: required']);
  });

  it.each([
    ['HARNESS_SKEW', '5 seconds please', /^error: HARNESS_SKEW="5 seconds please": not a number of seconds or a duration/],
    ['HARNESS_WORKERS', 'two', /^error: HARNESS_WORKERS="two": not a positive whole number/],
    ['HARNESS_EMBEDDED_FAULTS', 'no-such-fault', /^error: HARNESS_EMBEDDED_FAULTS="no-such-fault": unknown fault no-such-fault/],
    ['HARNESS_CHROMIUM', os.tmpdir(), /^error: HARNESS_CHROMIUM=".*": not an executable file/],
  ])('a bad %s setting: one line naming it, exit 2, nothing started', async (name, value, message) => {
    const r = await cli(['--report-dir', path.join(tmp, `settings-${name}`)], 30_000, { [name]: value });
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('error:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(tmp, `settings-${name}`))).toBe(false);
  });

  // Were a note in results.json: the run looked like one with the switches on.
  it('fault switches for a target that is not the embedded reference: one line naming the setting and the target, exit 2, nothing started', async () => {
    const r = await cli(['--issuer', 'http://127.0.0.1:9', '--report-dir', path.join(tmp, 'faults-elsewhere')], 30_000, { HARNESS_EMBEDDED_FAULTS: 'id-token-wrong-nonce' });
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual(['error: HARNESS_EMBEDDED_FAULTS=id-token-wrong-nonce: fault switches exist only in the embedded reference provider, not in reference (docker/reference/target.yml, run as a url target); unset it for this target']);
    expect(existsSync(path.join(tmp, 'faults-elsewhere'))).toBe(false);
  });

  // Playwright's launch log on every browser check, and exit 1.
  it('HARNESS_CHROMIUM naming an executable that is not a browser: one line naming it, exit 2', async () => {
    const r = await cli(['--grep', 'login\\.', '--report-dir', path.join(tmp, 'not-a-browser')], 120_000, { HARNESS_CHROMIUM: '/bin/true' });
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('error:'));
    expect(lines).toEqual(['error: HARNESS_CHROMIUM=/bin/true: not a Chromium Playwright can launch (it exited with code 0 before it answered): name the browser binary itself, e.g. /usr/bin/chromium-headless-shell']);
    expect(r.err + r.out).not.toMatch(/--disable-field-trial-config|\n\s+at /);
  });

  it('a client secret that does not match its digest (checked while the runner collects the suites): one line, exit 2, nothing left running', async () => {
    const profile = readFileSync(path.join(ROOT, 'docker/reference/target.yml'), 'utf8')
      .replace('config: ./configuration.yml', `config: ${path.join(ROOT, 'docker/reference/configuration.yml')}`)
      .replace('kasm: insecure_secret', 'kasm: not-the-secret')
      .replace(/^expected_results:.*$/m, '');
    // Playwright's runner is started before the provider (src/cli/suite-runner.ts): it must be gone too.
    const mark = `wrong-secret-${Math.random()}`;
    const r = await cli(['--target', write('wrong-secret.yml', profile), '--report-dir', path.join(tmp, 'wrong-secret')], 120_000, { TEST_RUN_MARK: mark });
    expect(processesWith(`TEST_RUN_MARK=${mark}`)).toEqual([]);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('error:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/configuration\.yml.*the plaintext given for kasm does not match the digest/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err + r.out).not.toContain('not-the-secret');
    // The provider and relying parties it started are stopped: their ports are free again.
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(29013, '127.0.0.1', resolve));
    await new Promise((resolve) => probe.close(resolve));
  });

  it.each(cases)('%s: one line, exit 2, no stack', async (_name, args, message) => {
    const r = await cli(args());
    expect(r.code).toBe(2);
    // One line in all, also after a wrong option (where the usage is, not the usage itself).
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
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
    reportDir = tempDir('harness-report-');
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
    // Nothing else of Playwright's but its HTML report: no test-results/ with its --last-failed record.
    expect(readdirSync(reportDir).sort()).toEqual(['junit.xml', 'playwright', 'results.json', 'screenshots', 'summary.html']);
  });

  it('reports every defined check (passed, failed, warning, blocked, error or skipped with a reason)', async () => {
    // A check that is defined, documented and fault-tested but registered by no suite is a silent pass.
    const json = JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as { results: Array<{ id: string; outcome: string; message?: string }> };
    const reported = new Set(json.results.map((r) => r.id));
    const defined = await definedCheckIds();
    expect(defined.length).toBeGreaterThan(60);
    expect(defined.filter((id) => !reported.has(id))).toEqual([]);
    for (const r of json.results.filter((x) => x.outcome === 'skipped')) expect(r.message, r.id).toMatch(/\w{4,}/);
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
    const reportDir = tempDir('harness-ui-');
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

describe('root causes, not noise', () => {
  const tmp = () => tempDir('harness-roots-');

  it('discovery that is not JSON is one failure; every other check is blocked by it, and it is listed with the count', async () => {
    const dir = tmp();
    // The scenarios too: their applications read discovery, or had their endpoints copied from it.
    const run = await cli(['--grep', 'discovery\\.|code\\.exchange|userinfo\\.|claims\\.no-leak|scenario\\.', '--report-dir', dir], 120_000, { HARNESS_EMBEDDED_FAULTS: 'discovery-not-json' });
    expect(run.code).toBe(1);
    const results = resultsOf(dir);
    expect(results.filter((r) => r.outcome !== 'blocked').map((r) => `${r.id} ${r.outcome}`)).toEqual(['discovery.reachable failed']);
    const blocked = results.filter((r) => r.outcome === 'blocked');
    expect(blocked.length).toBeGreaterThan(15);
    for (const r of blocked) expect(r.blockedBy, r.id).toBe('discovery.reachable');
    expect(run.out).toMatch(new RegExp(`FAIL discovery\\.reachable: .*\\(blocks ${blocked.length} checks\\)`));
    expect(run.out).toMatch(new RegExp(`0 passed, 1 failed, ${blocked.length} blocked`));
    expect(readFileSync(path.join(dir, 'summary.html'), 'utf8')).toMatch(/Root causes/);
  }, 150_000);

  it('a refresh token that never comes blocks the refresh checks behind refresh.issued-as-configured', async () => {
    const dir = tmp();
    const run = await cli(['--grep', 'refresh\\.', '--report-dir', dir], 120_000, { HARNESS_EMBEDDED_FAULTS: 'refresh-never-issued' });
    expect(run.code).toBe(1);
    const results = resultsOf(dir);
    const failed = results.filter((r) => r.outcome === 'failed').map((r) => `${r.id} [${r.client}]`).sort();
    expect(failed).toEqual(['refresh.issued-as-configured [myapp]', 'refresh.issued-as-configured [spa]']);
    const blocked = results.filter((r) => r.outcome === 'blocked');
    expect(blocked.map((r) => r.id)).toEqual(expect.arrayContaining(['refresh.grant', 'refresh.rotation', 'refresh.bound-to-client', 'refresh.refused-without-grant']));
    for (const r of blocked) expect(r.blockedBy).toMatch(/^refresh\.issued-as-configured \[(myapp|spa)\]$/);
  }, 150_000);

  // Only blocked checks selected: the run exited 1 naming no cause, and JUnit showed them as skips.
  it('a --grep run selecting only checks blocked by a prerequisite it did not select names that prerequisite and its failure', async () => {
    const dir = tmp();
    const run = await cli(['--grep', 'refresh\\.grant', '--report-dir', dir], 120_000, { HARNESS_EMBEDDED_FAULTS: 'refresh-never-issued' });
    expect(run.code).toBe(1);
    const results = resultsOf(dir);
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['blocked']));
    expect(run.out).toMatch(/^FAIL refresh\.issued-as-configured \[(myapp|spa)\]: .+ \(blocks \d checks?: it failed in (its|their) setup; this run did not select or report it\)$/m);
    const junit = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`<testsuites [^>]*tests="${results.length}" failures="${results.length}" errors="0" skipped="0"`));
    expect(junit).toMatch(/<failure message="blocked by refresh\.issued-as-configured \[(myapp|spa)\]: [^"]+" type="blocked">/);
    expect(readFileSync(path.join(dir, 'summary.html'), 'utf8')).toMatch(/<code>refresh\.issued-as-configured \[(myapp|spa)\]<\/code>/);
  }, 150_000);

  it('a token endpoint answering 500 makes error outcomes with the evidence, never requirement failures', async () => {
    const dir = tmp();
    // The refusal checks too: a 500 to a wrong secret or a replayed code is no acceptance.
    const run = await cli(['--grep', 'code\\.exchange|userinfo\\.get|code\\.(wrong-secret|reuse|other-auth|redirect-uri-bound|single-auth)|pkce\\.wrong', '--report-dir', dir], 120_000, { HARNESS_EMBEDDED_FAULTS: 'token-server-error' });
    expect(run.code).toBe(1);
    const results = resultsOf(dir);
    expect(results.length).toBeGreaterThan(30);
    for (const r of results.filter((x) => x.outcome !== 'skipped')) {
      expect(r.outcome, `${r.id} [${r.client}]: ${r.message}`).toBe('error');
      expect(r.message).toMatch(/^token( \(.+\))? answered HTTP 500 /);
      expect(r.message).not.toMatch(/accepted/);
    }
    // One line for the many checks that met the same 500 in their setup, naming the others.
    expect(run.out).toMatch(/^ERROR code\.exchange \[kasm\]: token answered HTTP 500 .*\(and \d+ more checks with this error: /m);
  }, 150_000);

  it('server errors under concurrency are one finding of their own: provider.concurrency', async () => {
    const dir = tmp();
    const run = await cli(['--grep', 'provider\\.concurrency', '--report-dir', dir], 120_000, { HARNESS_EMBEDDED_FAULTS: 'server-error-under-load' });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/FAIL provider\.concurrency: \d+ of \d+ requests sent 10 at a time got a server error or no answer \(token: HTTP 500/);
  }, 150_000);

  it("a login driver whose selectors match none of the provider's pages: errors, never failures pinned on the provider, and no worker waits out the driver for every check", async () => {
    const dir = tmp();
    const profile = path.join(dir, 'unmatched.yml');
    writeFileSync(profile, readFileSync(path.join(ROOT, 'docker/reference/target.yml'), 'utf8')
      .replace('config: ./configuration.yml', `config: ${path.join(ROOT, 'docker/reference/configuration.yml')}`)
      .replace('  driver: embedded', "  driver: form\n  selectors: { username: '#no-such-field', password: '#password', submit: '#sign-in', consent_accept: '#consent-accept', consent_deny: '#consent-deny' }")
      .replace(/^expected_results:.*$/m, ''));
    const run = await cli(['--target', profile, '--grep', 'provider\\.concurrency|rustdesk userinfo\\.(get|post|sub-matches)|login\\.wrong-password', '--workers', '1', '--report-dir', dir], 120_000);
    expect(run.code).toBe(1);
    const results = resultsOf(dir);
    expect(results.map((r) => r.id).sort()).toEqual(['login.wrong-password-refused', 'provider.concurrency', 'userinfo.get', 'userinfo.post', 'userinfo.sub-matches']);
    for (const r of results) expect(r.outcome, `${r.id} [${r.client}]: ${r.message}`).toBe('error');
    // One wait of the driver's bound for the client in the worker (one test per check: --grep),
    // not one for each check that needs the sign-in.
    const slow = results.filter((r) => r.id.startsWith('userinfo.') && (r.durationMs ?? 0) > 5_000).map((r) => r.id);
    expect(slow.length, slow.join(', ')).toBeLessThanOrEqual(1);
    expect(results.find((r) => r.id === 'provider.concurrency')?.message).toMatch(/could not be signed in/);
  }, 150_000);

  it('a HARNESS_FULL or HARNESS_REVERSE left in the shell does not reach the workers: the run is the default one the CLI reports', async () => {
    // Only the CLI sets these (--full, --reverse). Inherited, HARNESS_FULL made the workers wait
    // out the 60 s code lifespan and pass lifespan.authorize-code in a run reported as default.
    const dir = tmp();
    const r = await cli(['--grep', 'lifespan\\.authorize-code', '--report-dir', dir], 45_000, { HARNESS_FULL: '1', HARNESS_REVERSE: '1' });
    expect(r.code).toBe(0);
    const results = resultsOf(dir);
    expect(results.length).toBeGreaterThan(0);
    for (const res of results) {
      expect(res.outcome).toBe('skipped');
      expect(res.message).toMatch(/observable only by waiting/);
    }
  }, 50_000);

  it('a default run (its checks batched by describe block): a check failing in its batch fails alone, its neighbours keep their own verdicts', async () => {
    const dir = tmp();
    // iat a day ahead: id-token.iat fails (and exp, which must come after it); the other id-token
    // checks of each client's batch run after them, on the same tokens.
    const run = await cli(['--report-dir', dir], 170_000, { HARNESS_EMBEDDED_FAULTS: 'id-token-iat-future' });
    expect(run.code).toBe(1);
    const results = resultsOf(dir);
    const defined = await definedCheckIds();
    expect(defined.filter((id) => !results.some((r) => r.id === id))).toEqual([]);
    expect(results.filter((r) => r.outcome === 'error').map((r) => `${r.id} [${r.client}]: ${r.message}`)).toEqual([]);
    const idToken = results.filter((r) => r.id.startsWith('id-token.') && r.id !== 'id-token.iat' && r.id !== 'id-token.exp');
    expect(idToken.length).toBeGreaterThan(40);
    for (const r of idToken) expect(['passed', 'skipped', 'warning'], `${r.id} [${r.client}]`).toContain(r.outcome);
    const iat = results.filter((r) => r.id === 'id-token.iat');
    expect(iat.length).toBeGreaterThan(3);
    for (const r of iat) expect(r.outcome, r.client).toBe('failed');
    expect(run.out).toMatch(/^FAIL id-token\.iat \[rustdesk\]: iat is \d+ s from now$/m);
  }, 180_000);

  it('a --grep that matches no check: one line, exit 2', async () => {
    const reportDir = path.join(tmp(), 'report');
    const r = await cli(['--grep', 'no-such-check-anywhere', '--report-dir', reportDir], 60_000);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('error:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--grep "no-such-check-anywhere" matches no check/);
    // Nothing of Playwright's (its dot reporter under CI=true ends with blank lines), and no
    // report folder for a run that checked nothing.
    expect(r.out.trim()).toBe('');
    expect(existsSync(reportDir)).toBe(false);
  }, 70_000);
});

describe('a second shipped configuration', () => {
  it('passes too, with expectations read from its own file (lifespans, CORS, claims policy)', async () => {
    const reportDir = tempDir('harness-alt-');
    const run = await cli(['--target', path.join(ROOT, 'docker/reference-alt'), '--report-dir', reportDir], 150_000);
    expect(run.code, run.out.split('\n').filter((l) => l.startsWith('FAIL')).join('\n')).toBe(0);
    type R = { id: string; client?: string; outcome: string; evidence: Array<{ data?: unknown }> };
    const results = (JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as { results: R[] }).results;
    const find = (id: string, client?: string) => results.find((r) => r.id === id && r.client === client)!;
    // 2 s custom authorize_code lifespan: watched expiring in the default run.
    expect(find('lifespan.authorize-code', 'nextcloud').outcome).toBe('passed');
    // claims_policies.with_identity puts email into grafana's ID token.
    const table = find('claims.id-token-placement', 'grafana').evidence[0]!.data as Array<{ claim: string; required: string }>;
    expect(table.find((row) => row.claim === 'email')!.required).toBe('userinfo + id_token');
    // Origins come from the redirect URIs: a relying party's http origin is echoed on token.
    const matrix = find('cors.token.allowed-origin').evidence[0]!.data as Array<{ origin: string; observed_allow_origin: string }>;
    expect(matrix[0]).toMatchObject({ origin: 'allowed http://127.0.0.1:29021', observed_allow_origin: 'http://127.0.0.1:29021' });
  }, 180_000);
});

describe('lifecycle', () => {
  it('a command target runs the suites and its process is gone afterwards', async () => {
    const port = 29600 + Math.floor(Math.random() * 300);
    const dir = tempDir('harness-cmd-');
    const profile = path.join(dir, 'target.yml');
    writeFileSync(
      profile,
      [
        'name: command-reference',
        `start: { mode: command, command: [${JSON.stringify(process.execPath)}, --import, tsx, scripts/reference-server.ts, --port, "${port}"], cwd: ${JSON.stringify(ROOT)}, ready_timeout: 30s }`,
        `issuer: http://127.0.0.1:${port}`,
        `config: ${JSON.stringify(path.join(ROOT, 'docker/reference/configuration.yml'))}`,
        'client_secrets: { rustdesk: insecure_secret, proxmox: insecure_secret, kasm: insecure_secret, myapp: insecure_secret }',
        'login: { driver: embedded }',
        'users: [{ username: john, password: john-test-password, totp_secret: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP }, { username: mary, password: mary-test-password, totp_secret: KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF }]',
        '',
      ].join('\n'),
    );
    const run = startCli(['--target', profile, '--grep', 'discovery|code.exchange', '--report-dir', path.join(dir, 'report')]);
    const code = await run.exited;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/checks: \d+ passed, 0 failed/);
    expect(await portFree(port)).toBe(true);
  }, 120_000);

  it.skipIf(!existsSync('/proc'))('Ctrl-C while a command target is still starting ends its process', async () => {
    const dir = tempDir('harness-cmd-int-');
    const mark = `cmd-int-${Math.random()}`;
    const profile = path.join(dir, 'target.yml');
    // A provider that never answers discovery: the CLI waits for it (up to a minute).
    writeFileSync(
      profile,
      [
        'name: never-ready',
        `start: { mode: command, command: [${JSON.stringify(process.execPath)}, -e, "setInterval(() => {}, 1000)"], ready_timeout: 60s }`,
        'issuer: http://127.0.0.1:9',
        'login: { driver: embedded }',
        'users: [{ username: a, password: b }]',
        'clients: [{ client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"] }]',
        '',
      ].join('\n'),
    );
    const run = startCli(['--target', profile, '--report-dir', path.join(dir, 'report')], { env: { TEST_RUN_MARK: mark } });
    const provider = () => processesWith(`TEST_RUN_MARK=${mark}`).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('setInterval'));
    // The provider's process carries the marker too (it inherits the CLI's environment).
    const deadline = Date.now() + 30_000;
    while (!provider().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(provider().length).toBe(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(processesWith(`TEST_RUN_MARK=${mark}`)).toEqual([]);
  }, 90_000);

  it('Ctrl-C in the middle of a run stops the provider, the relying parties and Playwright', async () => {
    const dir = tempDir('harness-int-');
    // Playwright's runner and its workers inherit the CLI's environment: the marker finds them all.
    const mark = `ctrl-c-${Math.random()}`;
    const run = startCli(['--report-dir', path.join(dir, 'report')], { env: { TEST_RUN_MARK: mark } });
    // Wait for the suites to be under way: the relying parties are listening by then.
    await run.waitFor(/Running \d+ checks/, 60_000);
    expect(await portFree(29011)).toBe(false);
    if (existsSync('/proc')) expect(processesWith(`TEST_RUN_MARK=${mark}`).length).toBeGreaterThan(1);
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(code).toBe(130);
    expect(await portFree(29011)).toBe(true);
    expect(await portFree(29015)).toBe(true);
    expect(processesWith(`TEST_RUN_MARK=${mark}`)).toEqual([]);
    // No verdict for a run cut short: no summary of ours, and the report folder it made is gone.
    expect(run.output()).toMatch(/interrupted \(SIGINT\): everything the run started is stopped; no report/);
    expect(run.output()).not.toMatch(/^checks: /m);
    expect(existsSync(path.join(dir, 'report'))).toBe(false);
  }, 120_000);

  it('kill sent to npm (the `sh -c` it runs the CLI under dies, passing nothing on) ends the run too: everything stopped, no report', async () => {
    const dir = tempDir('harness-orphan-');
    const mark = `orphan-${Math.random()}`;
    const shell = startCli(['--report-dir', path.join(dir, 'report')], { env: { TEST_RUN_MARK: mark }, underShell: true });
    await shell.waitFor(/Running \d+ checks/, 60_000);
    shell.child.kill('SIGTERM');
    // Stopped within moments, not at the end of the run (which would then write its report).
    const gone = Date.now() + 15_000;
    while (processesWith(`TEST_RUN_MARK=${mark}`).length && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(processesWith(`TEST_RUN_MARK=${mark}`)).toEqual([]);
    expect(existsSync(path.join(dir, 'report'))).toBe(false);
    expect(await portFree(29011)).toBe(true);
  }, 120_000);

  it('a closed terminal (SIGHUP) ends the run as Ctrl-C does: everything stopped, exit 129', async () => {
    const dir = tempDir('harness-hup-');
    const mark = `hup-${Math.random()}`;
    const run = startCli(['--report-dir', path.join(dir, 'report')], { env: { TEST_RUN_MARK: mark } });
    await run.waitFor(/Running \d+ checks/, 60_000);
    run.child.kill('SIGHUP');
    expect(await run.exited).toBe(129);
    expect(await portFree(29011)).toBe(true);
    expect(processesWith(`TEST_RUN_MARK=${mark}`)).toEqual([]);
    expect(existsSync(path.join(dir, 'report'))).toBe(false);
  }, 120_000);

  it('a CLI killed outright during the run leaves no Playwright runner, worker or browser', async () => {
    // A provider outside the CLI (it would die with an embedded one, and the checks with it), and
    // --full's lifespans of a minute: without the CLI, the run would go on for that minute.
    const provider = await startEmbedded(resolveProfile({}));
    const mark = `killed-running-${Math.random()}`;
    try {
      const run = startCli(['--issuer', provider.issuer, '--full', '--grep', 'lifespans\\.', '--report-dir', path.join(tempDir('harness-kill-'), 'report')], { env: { TEST_RUN_MARK: mark } });
      await run.waitFor(/Running \d+ checks/, 60_000);
      if (existsSync('/proc')) expect(processesWith(`TEST_RUN_MARK=${mark}`).length).toBeGreaterThan(1);
      run.child.kill('SIGKILL');
      // The CLI's exit, not its output's end: the runner holds that output open while it lives.
      await new Promise<void>((resolve) => (run.child.signalCode !== null ? resolve() : run.child.once('exit', () => resolve())));
      // The runner sees its stdin end and ends its process group; nothing to wait on but that.
      const deadline = Date.now() + 15_000;
      while (processesWith(`TEST_RUN_MARK=${mark}`).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(processesWith(`TEST_RUN_MARK=${mark}`)).toEqual([]);
    } finally {
      for (const pid of processesWith(`TEST_RUN_MARK=${mark}`)) process.kill(pid, 'SIGKILL');
      await provider.stop();
    }
  }, 120_000);

  it('a CLI killed outright before the provider is up leaves no Playwright runner waiting', async () => {
    // A provider that takes connections and never answers: the CLI waits in its discovery probe,
    // with Playwright's runner already started and waiting for the run's environment.
    const connected: Array<() => void> = [];
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      connected.shift()?.();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const mark = `killed-${Math.random()}`;
    try {
      const probed = new Promise<void>((resolve) => connected.push(resolve));
      // A report folder of its own: a CLI killed outright cannot remove the one it made.
      const run = startCli(['--issuer', `http://127.0.0.1:${port}`, '--report-dir', path.join(tempDir('harness-killed-'), 'report')], { env: { TEST_RUN_MARK: mark } });
      await probed;
      if (existsSync('/proc')) expect(processesWith(`TEST_RUN_MARK=${mark}`).length).toBeGreaterThan(1);
      run.child.kill('SIGKILL');
      await run.exited;
      // The runner sees its stdin end and exits; nothing to wait on but its exit.
      const deadline = Date.now() + 15_000;
      while (processesWith(`TEST_RUN_MARK=${mark}`).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(processesWith(`TEST_RUN_MARK=${mark}`)).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 60_000);
});

describe('refusals behind a consent page', () => {
  it('a provider that would issue a code after consent is caught, not counted as refusing', async () => {
    // spa shows consent every time: the suite must answer it and see the code.
    const run = await cli(['--grep', 'pkce.required', '--report-dir', tempDir('harness-pkce-')], 120_000, { HARNESS_EMBEDDED_FAULTS: 'pkce-not-required' });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/FAIL pkce\.required \[spa\]: an authorization for spa without code_challenge was not refused/);
  }, 150_000);
});

// Container targets need an engine: on a machine with none these are skipped, and say so.
const engine = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const harnessContainers = () => spawnSync('docker', ['ps', '-aq', '--filter', 'label=oidc-harness.owner-pid'], { encoding: 'utf8' }).stdout.trim();

describe.skipIf(!engine)('container targets (skipped: no Docker engine answers `docker info`)', () => {
  it('glewlwyd: a run judged by its expected verdicts, its log kept, the container gone afterwards', async () => {
    const dir = tempDir('harness-gw-');
    const r = await cli(['--target', path.join(ROOT, 'docker/glewlwyd'), '--grep', 'discovery\\.|id-token\\.auth-time', '--report-dir', dir], 240_000);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/verdicts match .*expected-results\.json \(\d+ known failure/);
    expect(r.out).toMatch(/FAIL id-token\.auth-time \[myapp\]: auth_time 0/);
    const log = readFileSync(path.join(dir, 'container-glewlwyd.log'), 'utf8');
    expect(log).toMatch(/Glewlwyd started on port/);
    for (const secret of ['john-test-password', 'insecure_secret']) expect(log).not.toContain(secret);
    const meta = readFileSync(path.join(dir, 'summary.html'), 'utf8');
    expect(meta).toMatch(/oidc-harness\/glewlwyd:2\.7/);
    // The summary states the exit code the CLI gave (0: known failures only), not "FAIL (exit 1)".
    expect(meta).toMatch(/PASS: verdicts match .*expected-results\.json, \d+ failing checks? known \(exit 0\)/);
    expect(readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toContain('<property name="image" value="oidc-harness/glewlwyd:2.7"/>');
    expect(harnessContainers()).toBe('');
  }, 300_000);

  it('a container left by a run that was killed outright is removed by the next run', async () => {
    // The image exists after the run above; the orphan carries the label of a pid that is gone.
    const orphan = spawnSync('docker', ['run', '-d', '--label', 'oidc-harness.owner-pid=999999', '--entrypoint', 'sleep', 'oidc-harness/glewlwyd:2.7', '600'], { encoding: 'utf8' });
    expect(orphan.status, orphan.stderr).toBe(0);
    expect(harnessContainers()).toContain(orphan.stdout.trim().slice(0, 12));
    const dir = tempDir('harness-gw-orphan-');
    const r = await cli(['--target', path.join(ROOT, 'docker/glewlwyd'), '--grep', 'discovery\\.issuer', '--report-dir', dir], 240_000);
    expect(r.code, r.out + r.err).toBe(0);
    expect(readFileSync(path.join(dir, 'summary.html'), 'utf8')).toMatch(/removed 1 container\(s\) left by an earlier run that was killed/);
    expect(harnessContainers()).toBe('');
  }, 300_000);

  it('a changed verdict fails the run, naming it', async () => {
    const tmp = tempDir('harness-gw-exp-');
    const profile = readFileSync(path.join(ROOT, 'docker/glewlwyd/target.yml'), 'utf8')
      .replace('context: .', `context: ${path.join(ROOT, 'docker/glewlwyd')}`)
      .replace('source: ./glewlwyd.conf', `source: ${path.join(ROOT, 'docker/glewlwyd/glewlwyd.conf')}`)
      .replace('config: ../reference/configuration.yml', `config: ${path.join(ROOT, 'docker/reference/configuration.yml')}`);
    writeFileSync(path.join(tmp, 'target.yml'), profile);
    const verdicts = JSON.parse(readFileSync(path.join(ROOT, 'docker/glewlwyd/expected-results.json'), 'utf8')) as { verdicts: Record<string, string> };
    verdicts.verdicts['id-token.auth-time [myapp]'] = 'passed';
    writeFileSync(path.join(tmp, 'expected-results.json'), JSON.stringify(verdicts));
    const r = await cli(['--target', tmp, '--grep', 'id-token\\.auth-time', '--report-dir', path.join(tmp, 'report')], 240_000);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/1 verdict\(s\) differ from .*expected-results\.json:\n  id-token\.auth-time \[myapp\]: expected passed, observed failed/);
    expect(readFileSync(path.join(tmp, 'report', 'summary.html'), 'utf8')).toMatch(/FAIL: 1 verdict differs from .*expected-results\.json \(exit 1\)/);
    expect(harnessContainers()).toBe('');
  }, 300_000);

  it('Ctrl-C in the middle of a container run removes the container', async () => {
    const dir = tempDir('harness-gw-int-');
    const run = startCli(['--target', path.join(ROOT, 'docker/glewlwyd'), '--report-dir', path.join(dir, 'report')]);
    await run.waitFor(/Running \d+ checks/, 120_000);
    expect(harnessContainers()).not.toBe('');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(harnessContainers()).toBe('');
  }, 300_000);
});
