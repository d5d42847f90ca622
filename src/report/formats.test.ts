import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../model/check.ts';
import { toJUnit } from './junit.ts';
import { toJson } from './json.ts';
import { toHtml } from './html.ts';
import { countsText, failingCount, rootCauseLine, rootCauses, summarize, type RunMeta } from './meta.ts';

const meta: RunMeta = {
  target: 'ref & <co>',
  issuer: 'https://op.example',
  profileFile: '/p/target.yml',
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
  harnessVersion: '0.1.0',
  notes: ['note <b>'],
};

function check(over: Partial<CheckResult>): CheckResult {
  return { id: 'x.check', title: 'a check', severity: 'failure', spec: 'OIDC Core §3', suite: 'discovery', outcome: 'passed', evidence: [], durationMs: 1500, ...over };
}

const results: CheckResult[] = [
  check({ id: 'd.pass', suite: 'discovery' }),
  check({
    id: 'd.fail',
    title: 'issuer <matches> & "quotes"',
    suite: 'discovery',
    outcome: 'failed',
    message: 'issuer was <wrong> & \'bad\'\u0001',
    source: 'configuration.yml: x = "y"',
    expected: 'https://op.example',
    observed: '<script>alert(1)</script>',
    evidence: [
      { label: 'discovery', http: { request: { method: 'GET', url: 'https://op.example/.well-known/openid-configuration?a=1&b=2' }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"issuer":"<x>"}' } } },
      { label: 'shot', file: 'test-results/shot 1.png' },
      { label: 'abs', file: 'javascript:alert(1)' },
    ],
  }),
  check({ id: 'c.warn', suite: 'code-flow', client: 'app', severity: 'warning', outcome: 'warning', message: 'late <token>' }),
  check({ id: 'c.skip', suite: 'code-flow', client: 'app', outcome: 'skipped', message: 'no "refresh" grant' }),
  check({ id: 'c.fail-warn', suite: 'code-flow', client: 'spa', severity: 'warning', outcome: 'failed', message: 'crashed' }),
  check({ id: 'c.pass', suite: 'code-flow', client: 'app' }),
];

describe('toJUnit', () => {
  const xml = toJUnit(results, meta);

  it('writes one testsuite per suite with correct counts', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toMatch(/<testsuites [^>]*tests="6" failures="2" errors="0" skipped="1"/);
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)" time="([\d.]+)"/g)];
    expect(suites.map((m) => [m[1], m[2], m[3], m[4]])).toEqual([
      ['code-flow', '4', '1', '1'],
      ['discovery', '2', '1', '0'],
    ]);
    expect(suites[1]![5]).toBe('3.000');
    expect([...xml.matchAll(/<testcase /g)]).toHaveLength(6);
    expect(xml).toContain('classname="code-flow.app" name="c.warn: a check" time="1.500"');
    expect(xml).toContain('classname="discovery" name="d.pass: a check" time="1.500"/>');
  });

  it('maps outcomes: failure with detail, skipped with message, warning as system-out', () => {
    expect(xml).toMatch(/<failure message="issuer was &lt;wrong&gt; &amp; &apos;bad&apos;\\u0001" type="failure">d\.fail: issuer was &lt;wrong&gt;/);
    expect(xml).toContain('source:   configuration.yml: x = "y"');
    expect(xml).toContain('observed: "&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(xml).toContain('GET https://op.example/.well-known/openid-configuration?a=1&amp;b=2');
    expect(xml).toContain('<skipped message="no &quot;refresh&quot; grant"/>');
    expect(xml).toMatch(/<system-out>WARNING: c\.warn \[app\]: late &lt;token&gt;/);
    expect(xml).toContain('type="warning">c.fail-warn [spa]: crashed');
  });

  it('escapes everything and has no raw control characters or stray markup', () => {
    expect(xml).toContain('name="d.fail: issuer &lt;matches&gt; &amp; &quot;quotes&quot;"');
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<co>');
    // Every & starts an entity.
    expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    // Tags balance.
    expect(xml.match(/<testsuite /g)).toHaveLength(xml.match(/<\/testsuite>/g)!.length);
  });
});

describe('toJson', () => {
  it('summarises and orders deterministically', () => {
    const a = toJson(results, meta);
    const b = toJson([...results].reverse(), meta);
    expect(a).toEqual(b);
    expect(a.summary).toEqual({ passed: 2, failed: 2, warning: 1, blocked: 0, error: 0, skipped: 1, total: 6 });
    expect(a.results.map((r) => r.id)).toEqual(['c.pass', 'c.skip', 'c.warn', 'c.fail-warn', 'd.fail', 'd.pass']);
    expect(a.meta).toBe(meta);
  });
  it('failingCount ignores warnings and failed checks of warning severity', () => {
    expect(failingCount(results)).toBe(1);
  });
});

describe('toHtml', () => {
  const html = toHtml(results, meta);
  it('escapes every value', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(html).toContain('ref &amp; &lt;co&gt;');
    expect(html).toContain('note &lt;b&gt;');
    expect(html).toContain('&quot;issuer&quot;: &quot;&lt;x&gt;&quot;');
  });
  it('is self-contained: no scripts, no external loads', () => {
    expect(html).not.toMatch(/<script|<link|@import|src="https?:|href="https?:/i);
    expect(html).toContain('<img src="test-results/shot%201.png"');
    expect(html).not.toContain('src="javascript:');
  });
  it('shows the header and verdict', () => {
    expect(html).toContain('https://op.example');
    expect(html).toContain('2025-01-01T00:01:00.000Z');
    expect(html).toContain('FAIL: 1 failing check (exit 1)');
    expect(toHtml([results[0]!], meta)).toContain('PASS (exit 0)');
  });
  it('orders failures, then warnings, skips and passes within a group, and failing groups first', () => {
    const app = html.slice(html.indexOf('client app'));
    const pos = (id: string) => app.indexOf(`<code>${id}</code>`);
    expect(pos('c.warn')).toBeGreaterThan(0);
    expect(pos('c.warn')).toBeLessThan(pos('c.skip'));
    expect(pos('c.skip')).toBeLessThan(pos('c.pass'));
    expect(html.indexOf('<code>d.fail</code>')).toBeLessThan(html.indexOf('<code>d.pass</code>'));
    expect(html.indexOf('client spa')).toBeLessThan(html.indexOf('client app'));
  });
});

describe('toHtml: interop scenarios', () => {
  const scenarios: CheckResult[] = [
    check({ id: 'scenario.proxmox', suite: 'scenarios', spec: 'scenarios/proxmox.yaml (relying party: Proxmox VE)', evidence: [{ label: 'logged in', data: { username: 'john', groups: ['admins', 'dev'] } }] }),
    check({ id: 'scenario.kasm', suite: 'scenarios', spec: 'scenarios/kasm.yaml (relying party: Kasm Workspaces)', outcome: 'failed', message: 'kasm: the login was refused at the claims step: groups is a string. Fix: <send an array>' }),
    check({ id: 'scenario.id-token-claims-only', suite: 'scenarios', spec: 'scenarios/id-token-claims-only.yaml (relying party: openid-client)', message: 'refused as expected: identity.username', evidence: [{ label: 'refused as expected', data: { rule: 'identity.username', step: 'identity', title: 'the application reads preferred_username from the ID token' } }] }),
  ];
  const html = toHtml([...results, ...scenarios], meta);
  it('lists each scenario before the suites: who it logged in as, or why not, linked to its check', () => {
    const section = html.slice(html.indexOf('<h2>Interop scenarios</h2>'), html.indexOf('<h2>scenarios</h2>'));
    expect(section).toContain('logged in as john (groups: admins, dev)');
    expect(section).toContain('Proxmox VE');
    expect(section).toContain('refused at the claims step: groups is a string. Fix: &lt;send an array&gt;');
    expect(section).toContain('href="#scenarios..scenario.kasm"');
    // A scenario that exists to show a refusal says which one it saw.
    expect(section).toContain('refused as expected (identity.username, identity step): the application reads preferred_username from the ID token');
    expect(section.indexOf('scenario.kasm')).toBeLessThan(section.indexOf('scenario.proxmox'));
    expect(html.indexOf('<h2>Interop scenarios</h2>')).toBeLessThan(html.indexOf('<h2>discovery</h2>'));
  });
  it('has no scenario section when no scenario ran', () => {
    expect(toHtml(results, meta)).not.toContain('Interop scenarios');
  });
});

describe('blocked and error outcomes', () => {
  const rows: CheckResult[] = [
    check({ id: 'discovery.reachable', suite: 'discovery', outcome: 'failed', message: 'not JSON' }),
    check({ id: 'code.exchange', suite: 'code-flow', client: 'app', outcome: 'blocked', blockedBy: 'discovery.reachable', message: 'blocked by discovery.reachable: not JSON' }),
    check({ id: 'userinfo.get', suite: 'userinfo', client: 'app', outcome: 'blocked', blockedBy: 'discovery.reachable', message: 'blocked by discovery.reachable: not JSON' }),
    check({ id: 'refresh.grant', suite: 'refresh', client: 'app', outcome: 'error', message: 'token answered HTTP 500' }),
  ];
  it('JUnit: blocked is a failure of type blocked with its cause (the run exits 1: never a green suite), error is an error', () => {
    const xml = toJUnit(rows, meta);
    expect(xml).toMatch(/<testsuites [^>]*tests="4" failures="3" errors="1" skipped="0"/);
    expect(xml).toMatch(/<failure message="blocked by discovery\.reachable: not JSON" type="blocked">code\.exchange \[app\]: blocked by discovery\.reachable: not JSON\n/);
    expect(xml).not.toContain('<skipped');
    expect(xml).toMatch(/<error message="token answered HTTP 500" type="error">/);
  });
  it('root causes: failures and errors, the one blocking most first, with its count', () => {
    expect(rootCauses(rows).map((r) => [r.key, r.blocks])).toEqual([['discovery.reachable', 2], ['refresh.grant [app]', 0]]);
    expect(rootCauses(rows).map(rootCauseLine)).toEqual(['FAIL discovery.reachable: not JSON (blocks 2 checks)', 'ERROR refresh.grant [app]: token answered HTTP 500']);
    expect(countsText(summarize(rows))).toBe('0 passed, 1 failed, 2 blocked, 1 error, 0 warnings, 0 skipped');
    expect(failingCount(rows)).toBe(4);
  });
  // A --grep run selecting only checks whose prerequisite it did not select: they were blocked by
  // its failure in their setup, and the run exited 1 with no root cause named.
  const unselected: CheckResult[] = [
    check({ id: 'code.state', suite: 'code-flow', client: 'rustdesk', outcome: 'blocked', blockedBy: 'code.exchange [rustdesk]', message: 'blocked by code.exchange [rustdesk]: the token endpoint refused the client' }),
    check({ id: 'code.iss', suite: 'code-flow', client: 'rustdesk', outcome: 'blocked', blockedBy: 'code.exchange [rustdesk]', message: 'blocked by code.exchange [rustdesk]: the token endpoint refused the client' }),
    check({ id: 'refresh.grant', suite: 'refresh', client: 'kasm', outcome: 'blocked', blockedBy: 'refresh.issued-as-configured [kasm]', message: 'blocked by refresh.issued-as-configured [kasm]: no refresh token' }),
    check({ id: 'refresh.issued-as-configured', suite: 'refresh', client: 'kasm', outcome: 'passed' }),
  ];
  it('root causes: a prerequisite that is not among the results (or passed in its own check) is named with its failure as its blocked checks met it', () => {
    expect(rootCauses(unselected).map(rootCauseLine)).toEqual([
      'FAIL code.exchange [rustdesk]: the token endpoint refused the client (blocks 2 checks: it failed in their setup; this run did not select or report it)',
      'FAIL refresh.issued-as-configured [kasm]: no refresh token (blocks 1 check: it failed in its setup; its own check passed)',
    ]);
    const html = toHtml(unselected, meta);
    expect(html).toContain('<td><code>code.exchange [rustdesk]</code></td><td>2</td><td>the token endpoint refused the client (it failed in their setup; this run did not select or report it)</td>');
  });
  it('root causes: errors with the same reason that block nothing are one line, naming the others (each keeps its own result)', () => {
    const signIn = 'john could not be signed in for kasm (in this worker every check that needs it fails with this): no login or consent page';
    const same: CheckResult[] = [
      check({ id: 'discovery.reachable', suite: 'discovery', outcome: 'failed', message: 'not JSON' }),
      check({ id: 'code.exchange', suite: 'code-flow', client: 'rustdesk', outcome: 'blocked', blockedBy: 'discovery.reachable', message: 'blocked by discovery.reachable: not JSON' }),
      ...['userinfo.get', 'userinfo.post', 'userinfo.sub-matches', 'introspection.active'].map((id) => check({ id, suite: 'userinfo', client: 'kasm', outcome: 'error', message: `the harness could not run ${id}: ${signIn}` })),
      check({ id: 'refresh.grant', suite: 'refresh', client: 'app', outcome: 'error', message: 'token answered HTTP 500' }),
    ];
    expect(rootCauses(same).map(rootCauseLine)).toEqual([
      `ERROR introspection.active [kasm]: the harness could not run introspection.active: ${signIn} (and 3 more checks with this error: userinfo.get [kasm], userinfo.post [kasm], userinfo.sub-matches [kasm])`,
      'FAIL discovery.reachable: not JSON (blocks 1 check)',
      'ERROR refresh.grant [app]: token answered HTTP 500',
    ]);
    expect(toHtml(same, meta)).toContain('(and 3 more checks with this error: userinfo.get [kasm], userinfo.post [kasm], userinfo.sub-matches [kasm])');
    expect(countsText(summarize(same))).toBe('0 passed, 1 failed, 1 blocked, 5 errors, 0 warnings, 0 skipped');
  });
  it('HTML: a root-cause table before the suites', () => {
    const html = toHtml(rows, meta);
    expect(html.indexOf('Root causes')).toBeGreaterThan(0);
    expect(html.indexOf('Root causes')).toBeLessThan(html.indexOf('<h2>code-flow</h2>'));
  });
});
