// The seed scenarios against the embedded reference, end to end in a real browser (the
// application's home page, its login link, the provider's pages, the callback), and each
// relying-party rule seen failing on a reference fault switch with its diagnosis. The reference
// configuration is copied onto ports 292xx so these never collide with the CLI tests.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { portFree, processesWith, startCli } from './cli-run.ts';
import path from 'node:path';
import type { Browser } from 'playwright';
import { ROOT } from '../src/cli/run.ts';
import { loadProfile } from '../src/config/profile.ts';
import { ConfigError } from '../src/config/errors.ts';
import { startEmbedded } from '../src/targets/embedded/provider.ts';
import { startRelyingParties, type RelyingParties } from '../src/rp/server.ts';
import { launchBrowser } from '../src/browser/launch.ts';
import { browserDriver, EMBEDDED_SELECTORS } from '../src/browser/drivers.ts';
import { createRedactor, knownSecrets } from '../src/report/redact.ts';
import { loadScenario, loadScenarios, type Scenario } from '../src/scenarios/schema.ts';
import { judge, runScenario, type ScenarioVerdict } from '../src/scenarios/run.ts';
import { outcomeOf } from '../src/checks/verdict.ts';
import { formatTranscript, formatVerdict } from '../src/cli/scenario-format.ts';
import type { Fault } from '../src/targets/embedded/faults.ts';
import type { TargetProfile } from '../src/model/target.ts';
import { tempDir, tempFiles, thrown } from './thrown.ts';

const SCENARIOS = path.join(ROOT, 'scenarios');
const file = tempFiles('harness-scenario-');

/** The reference target copied with its relying parties on ports 292xx (its folder); `edit`
 *  changes its configuration text. */
function referenceDir(edit: (text: string) => string = (t) => t): string {
  const dir = tempDir('harness-scenarios-');
  const text = readFileSync(path.join(ROOT, 'docker/reference/configuration.yml'), 'utf8').replace(/127\.0\.0\.1:290(\d\d)/g, '127.0.0.1:292$1');
  writeFileSync(path.join(dir, 'configuration.yml'), edit(text));
  writeFileSync(path.join(dir, 'target.yml'), readFileSync(path.join(ROOT, 'docker/reference/target.yml'), 'utf8'));
  return dir;
}

function reference(edit?: (text: string) => string): TargetProfile {
  return loadProfile(referenceDir(edit));
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** `overHttp`: the provider's pages over raw HTTP where they are forms, as the conformance run does. */
async function run(scenario: Scenario, faults: Fault[] = [], profile = reference(), overHttp = false, timeoutMs?: number): Promise<ScenarioVerdict> {
  const target = await startEmbedded(profile, { faults });
  let rps: RelyingParties | undefined;
  try {
    rps = await startRelyingParties(profile.clients);
    return await runScenario(scenario, { profile, issuer: target.issuer, browser, driver: browserDriver(profile.login), redactor: createRedactor(knownSecrets(profile)), overHttp, ...(timeoutMs ? { timeoutMs } : {}) });
  } finally {
    await rps?.stop();
    await target.stop();
  }
}

const seed = (name: string) => loadScenario(path.join(SCENARIOS, `${name}.yaml`));

describe('scenario files', () => {
  it('every file in scenarios/ is valid', () => {
    const names = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const n of names) expect(() => loadScenario(path.join(SCENARIOS, n)), n).not.toThrow();
  });
  it('expect.failure names a rule the relying party can be refused for', () => {
    const f = file('bad-rule.yaml', readFileSync(path.join(SCENARIOS, 'proxmox.yaml'), 'utf8').replace('logged_in: true', 'failure: proxmox.no-such-rule'));
    const err = thrown(ConfigError, () => loadScenario(f));
    expect(err.field).toBe('expect.failure');
    expect(err.message).toMatch(/bad-rule\.yaml: expect\.failure: proxmox\.no-such-rule is no rule a proxmox login can be refused for \(one of: proxmox\.id-token-signature, proxmox\.id-token-typ, .*openid-client, identity\.username, identity\.groups, provider\.login\)$/);
  });
  // A scenario saved as .yml (as target.yml is) was left out of the conformance run, unsaid.
  it('the conformance run reads scenarios/*.yml as well as *.yaml', () => {
    const dir = tempDir('harness-scenario-dir-');
    writeFileSync(path.join(dir, 'kasm.yaml'), readFileSync(path.join(SCENARIOS, 'kasm.yaml'), 'utf8'));
    writeFileSync(path.join(dir, 'wiki.yml'), readFileSync(path.join(SCENARIOS, 'kasm.yaml'), 'utf8').replace('name: kasm', 'name: wiki'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a scenario');
    expect(loadScenarios(dir).map((s) => [s.name, path.basename(s.file)])).toEqual([['kasm', 'kasm.yaml'], ['wiki', 'wiki.yml']]);
  });
  it('a mistake is one line naming the file and the field', () => {
    const base = 'name: x\nclient: c\nrelying_party: proxmox\nscopes: [openid]\nidentity: {username: {claim: sub, from: id_token}}\nexpect: {logged_in: true}\n';
    expect(thrown(ConfigError, () => loadScenario(file('unknown-model.yaml', base.replace('proxmox', 'nextcloud')))).field).toBe('relying_party');
    expect(thrown(ConfigError, () => loadScenario(file('bad-from.yaml', base.replace('from: id_token', 'from: cookie')))).field).toBe('identity.username.from');
    expect(thrown(ConfigError, () => loadScenario(file('extra.yaml', `${base}colour: red\n`))).message).toMatch(/extra\.yaml: colour: unknown field$/);
    expect(thrown(ConfigError, () => loadScenario(file('no-userinfo.yaml', `${base.replace('from: id_token', 'from: userinfo')}userinfo: false\n`))).field).toBe('identity');
  });
  // Was `relying_party: required`: the misspelled key was not named.
  it('a misspelled key is named, with the required key it leaves missing', () => {
    const base = 'name: x\nclient: c\nrelying_party: proxmox\nscopes: [openid]\nidentity: {username: {claim: sub, from: id_token}}\nexpect: {logged_in: true}\n';
    expect(thrown(ConfigError, () => loadScenario(file('typo.yaml', base.replace('relying_party:', 'relying_prty:')))).message).toMatch(/typo\.yaml: relying_prty: unknown field \(relying_party is required and missing: misspelled\?\)$/);
    expect(thrown(ConfigError, () => loadScenario(file('typo-deep.yaml', base.replace('{claim: sub', '{claims: sub')))).message).toMatch(/typo-deep\.yaml: identity\.username\.claims: unknown field \(claim is required and missing: misspelled\?\)$/);
  });
  // Was `discovery: Invalid input` (zod's union message), whatever was wrong in it.
  it('discovery says what it takes: which endpoint URLs a mapping needs, and that a URL is no mode', () => {
    const base = (discovery: string) => `name: x\nclient: c\nrelying_party: proxmox\ndiscovery: ${discovery}\nscopes: [openid]\nidentity: {username: {claim: sub, from: id_token}}\nexpect: {logged_in: true}\n`;
    const what = 'discovery: expected issuer, typed, or the endpoint URLs: authorization_endpoint and token_endpoint (userinfo_endpoint, jwks_uri and issuer optional)';
    const partial = thrown(ConfigError, () => loadScenario(file('partial.yaml', base("{authorization_endpoint: '${ISSUER}/auth', userinfo_endpoint: '${ISSUER}/me'}"))));
    expect(partial.message).toMatch(/partial\.yaml: discovery\.token_endpoint: required; /);
    expect(partial.message.endsWith(`; ${what}`)).toBe(true);
    expect(thrown(ConfigError, () => loadScenario(file('url.yaml', base('https://auth.example.com')))).message).toMatch(/url\.yaml: discovery: expected issuer, typed, or the endpoint URLs: .*, got string "https:\/\/auth\.example\.com"$/);
    expect(thrown(ConfigError, () => loadScenario(file('expect.yaml', base('issuer').replace('{logged_in: true}', '{}')))).message).toMatch(/expect\.yaml: expect: expected logged_in: true \(and optionally groups\), or failure: the rule the login is refused for$/);
  });
});

describe('seed scenarios against the embedded reference', () => {
  for (const name of ['proxmox', 'kasm', 'rustdesk-server-pro', 'id-token-claims-only']) {
    it(`${name}: as the scenario expects`, async () => {
      const v = await run(seed(name));
      expect(v.outcome, v.outcome === 'skipped' ? v.message : `${v.message}\n${formatVerdict(v, createRedactor([]))}`).toBe('passed');
    }, 60_000);
  }

  it("id-token-claims-only against a profile that names no provider: the fix names no provider's keys", async () => {
    const { behaviour: _named, ...plain } = reference();
    const v = await run(seed('id-token-claims-only'), [], plain);
    expect(v.outcome !== 'skipped' && v.login.diagnosis?.fix).toBe("have the provider put preferred_username into this client's ID tokens, or have the application read it from userinfo");
  }, 60_000);

  it('kasm logs in as the user with the groups userinfo carries, read where Kasm reads them', async () => {
    const v = await run(seed('kasm'));
    expect(v.outcome === 'passed' && v.login).toMatchObject({ loggedIn: true, username: 'john', groups: ['admins', 'dev'], readFrom: { preferred_username: 'userinfo', groups: 'userinfo' } });
  }, 60_000);

  it('id-token-claims-only: refused with the claim, where it was instead, and the claims_policy fix; logs in once a claims_policy puts the claims back', async () => {
    const v = await run(seed('id-token-claims-only'));
    const d = v.outcome !== 'skipped' ? v.login.diagnosis : undefined;
    expect(d).toMatchObject({ rule: 'identity.username', step: 'identity' });
    expect(d?.observed).toMatch(/^preferred_username only in userinfo/);
    expect(d?.fix).toMatch(/claims_policy/);
    // The same application against the same provider with the fix applied to the configuration.
    const fixed = reference((t) =>
      t
        .replace(/(\n {4}clients:\n)/, '\n    claims_policies:\n      identity_in_id_token:\n        id_token: [preferred_username, groups]$1')
        .replace(/(- client_id: 'myapp'\n)/, "$1        claims_policy: 'identity_in_id_token'\n"),
    );
    const after = await run({ ...seed('id-token-claims-only'), expect: { logged_in: true } }, [], fixed);
    expect(after.outcome, after.outcome !== 'skipped' ? formatVerdict(after, createRedactor([])) : after.message).toBe('passed');
    expect(after.outcome === 'passed' && after.login.readFrom).toEqual({ preferred_username: 'ID token', groups: 'ID token' });
  }, 90_000);
});

describe('the conformance run\'s way: the provider\'s pages over raw HTTP where they are forms', () => {
  for (const name of ['proxmox', 'kasm', 'rustdesk-server-pro', 'id-token-claims-only']) {
    it(`${name}: the same verdict and transcript as in the browser`, async () => {
      const [http, inBrowser] = [await run(seed(name), [], reference(), true), await run(seed(name))];
      expect([http.via, inBrowser.via]).toEqual(['raw HTTP', 'browser']);
      expect(http.outcome).toBe('passed');
      const steps = (v: ScenarioVerdict) => (v.outcome === 'skipped' ? [] : v.login.transcript.map((t) => t.step));
      expect(steps(http)).toEqual(steps(inBrowser));
    }, 60_000);
  }
  it('a relying-party rule fails over raw HTTP as in the browser (proxmox with id-token-typ)', async () => {
    const v = await run(seed('proxmox'), ['id-token-typ'], reference(), true);
    expect(v.via).toBe('raw HTTP');
    expect(v.outcome === 'failed' && v.diagnosis?.rule).toBe('proxmox.id-token-typ');
  }, 60_000);
  it('response_mode form_post: the callback is posted to the application, as the browser posts it', async () => {
    const v = await run({ ...seed('rustdesk-server-pro'), response_mode: 'form_post' }, [], reference(), true);
    expect(v.via).toBe('raw HTTP');
    expect(v.outcome).toBe('passed');
    expect(v.outcome !== 'skipped' && v.login.transcript.find((t) => t.step === 'callback')?.request.method).toBe('POST');
  }, 60_000);
  it('a login page raw HTTP cannot answer: the browser does the whole login', async () => {
    const profile = reference();
    // A form driver whose username selector only Playwright reads (":visible").
    const browserOnly: TargetProfile = { ...profile, login: { driver: 'form', selectors: { ...EMBEDDED_SELECTORS, username: '#username:visible' } } };
    const v = await run(seed('kasm'), [], browserOnly, true);
    expect(v.via).toBe('browser');
    expect(v.outcome, v.outcome !== 'skipped' ? formatVerdict(v, createRedactor([])) : v.message).toBe('passed');
  }, 60_000);
  it("a login driver that recognises none of the provider's pages: no verdict of the application (the check's error), never a refusal pinned on the provider", async () => {
    const profile = reference();
    const unmatched: TargetProfile = { ...profile, login: { driver: 'form', selectors: { ...EMBEDDED_SELECTORS, username: '#no-such-field' } } };
    const err = await run(seed('kasm'), [], unmatched, true, 1_500).then(() => undefined, (x: unknown) => x);
    const verdict = outcomeOf(err, { id: 'scenario.kasm', title: 't', severity: 'failure', spec: 's' });
    expect(verdict.outcome).toBe('error');
    expect(verdict.detail.message).toMatch(/^kasm: the login driver recognised none of the provider's pages/);
    expect(JSON.stringify(verdict.detail.evidence)).toContain('Sign in');
  }, 60_000);
});

describe('a refusal for a missing claim is expected only where the target keeps the claim out of the ID token', () => {
  const s = seed('id-token-claims-only');
  const user = reference().users[0]!;
  const loggedIn = { loggedIn: true, username: 'john', groups: ['admins'], transcript: [] };
  it('authelia-4.39 without a claims_policy: a login fails the scenario (the provider put the claims in the ID token)', () => {
    expect(judge(s, loggedIn, user, { claimsProfile: 'authelia-4.39', idTokenClaims: [] })).toMatchObject({ outcome: 'failed', message: 'expected the login to be refused (identity.username), but john was logged in' });
  });
  it('oidc-core, authelia-legacy, or a claims_policy naming the claims: a login is skipped with the reason, never failed', () => {
    expect(judge(s, loggedIn, user, { claimsProfile: 'oidc-core', idTokenClaims: [] })).toMatchObject({ outcome: 'skipped', message: expect.stringMatching(/^john was logged in with preferred_username, groups from the ID token, which this target may send \(claims profile oidc-core leaves the ID token's scope claims to the provider \(OIDC Core §5\.4\)\); the refusal the scenario expects \(identity\.username\) needs/) });
    expect(judge(s, loggedIn, user, { claimsProfile: 'authelia-legacy', idTokenClaims: [] }).outcome).toBe('skipped');
    expect(judge(s, loggedIn, user, { claimsProfile: 'authelia-4.39', idTokenClaims: ['preferred_username', 'groups'] })).toMatchObject({ outcome: 'skipped', message: expect.stringContaining('its claims_policy puts preferred_username, groups in the ID token') });
  });
});

describe('each relying-party rule fails on the provider fault it names', () => {
  const cases: Array<[string, Fault, string, RegExp]> = [
    ['proxmox', 'id-token-typ', 'proxmox.id-token-typ', /"ID\+JWT"/],
    ['rustdesk-server-pro', 'email-verified-as-string', 'rustdesk-server-pro.claim-types', /email_verified is string .*true.*, expected a boolean/],
    ['proxmox', 'id-token-cty', 'proxmox.id-token-cty-crit', /cty/],
    ['kasm', 'token-scope-overstated', 'kasm.scope-changed', /scope/],
    ['proxmox', 'id-token-bad-signature', 'proxmox.id-token-signature', /signature/i],
  ];
  for (const [name, fault, rule, observed] of cases) {
    it(`${name} with ${fault}: refused for ${rule}`, async () => {
      const v = await run(seed(name), [fault]);
      expect(v.outcome).toBe('failed');
      const d = v.outcome === 'failed' ? v.diagnosis : undefined;
      expect(d?.rule).toBe(rule);
      expect(JSON.stringify(d?.observed) + (d?.title ?? '')).toMatch(observed);
      expect(d?.source).not.toBe('');
    }, 60_000);
  }
});

describe('client authentication the application always sends', () => {
  it('client_auth set in the scenario against another registration: refused with the registration fix, not the Basic-encoding one', async () => {
    // myapp is registered for client_secret_post; its secret has a "_" that Basic form-encodes.
    const v = await run({ ...seed('id-token-claims-only'), client_auth: 'client_secret_basic', expect: { logged_in: true } });
    if (v.outcome !== 'failed') throw new Error(`expected a refusal: ${v.message}`);
    expect(v.diagnosis?.fix).toBe("the application authenticates with client_secret_basic (the scenario's client_auth); the provider registers myapp with token_endpoint_auth_method client_secret_post: register it with client_secret_basic, or set client_auth: client_secret_post where the application can use it");
  }, 60_000);
  it('proxmox sends client_secret_basic whatever is registered: a client registered for client_secret_post is refused, with the fix', async () => {
    const profile = reference((t) => t.replace(/(- id: proxmox[\s\S]*?token_endpoint_auth_method: )client_secret_basic/, '$1client_secret_post'));
    expect(profile.clients.find((c) => c.id === 'proxmox')!.tokenEndpointAuthMethod).toBe('client_secret_post');
    const v = await run(seed('proxmox'), [], profile);
    if (v.outcome !== 'failed') throw new Error(`expected a refusal: ${v.message}`);
    expect(v.diagnosis).toMatchObject({ rule: 'openid-client', step: 'token' });
    expect(v.diagnosis!.fix).toMatch(/^Proxmox VE always authenticates with client_secret_basic \(proxmox\/proxmox-rs:proxmox-openid\/src\/lib\.rs .*\); the provider registers proxmox with token_endpoint_auth_method client_secret_post: register it with client_secret_basic$/);
    expect(v.login.transcript.find((t) => t.step === 'token')?.request.headers?.authorization).toBe('Basic [REDACTED]');
  }, 60_000);
});

describe('client_secret_basic encoded as each application encodes it (RFC 6749 §2.3.1)', () => {
  it('a provider that does not decode the credentials refuses openid-client (which sends _ as %5F), with the fix; Kasm (raw) and RustDesk (url crate) still log in', async () => {
    // rustdesk's client is registered for client_secret_basic; plain openid-client encodes strictly.
    const strict = await run({ ...seed('rustdesk-server-pro'), relying_party: 'openid-client' }, ['basic-credentials-not-decoded']);
    const d = strict.outcome === 'failed' ? strict.diagnosis : undefined;
    expect(d).toMatchObject({ rule: 'openid-client', step: 'token' });
    expect(d?.fix).toMatch(/RFC 6749 §2\.3\.1/);
    for (const name of ['kasm', 'rustdesk-server-pro']) expect((await run(seed(name), ['basic-credentials-not-decoded'])).outcome, name).toBe('passed');
  }, 90_000);
});

describe('the transcript', () => {
  it('names every step and carries no secret, code or token', async () => {
    const profile = reference();
    const v = await run(seed('kasm'), [], profile);
    if (v.outcome === 'skipped') throw new Error(v.message);
    const text = formatTranscript(v.login.transcript, createRedactor([])) + JSON.stringify(v.login.transcript);
    expect(v.login.transcript.map((t) => t.step)).toEqual(['authorization', 'callback', 'token', 'userinfo']);
    for (const secret of knownSecrets(profile)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(text).not.toMatch(/[?&]code=(?!\[REDACTED\])/);
    expect(text).toMatch(/"access_token":"\[REDACTED\]"/);
    // How the token request authenticated shows, its credentials never do.
    expect(text).toContain('authorization: Basic [REDACTED]');
  }, 60_000);
});

describe('npm run scenario', () => {
  // npm runs the command in the package root: a scenario named from another folder was looked for there.
  it('reads a relative scenario file and --target from the folder npm was typed in (INIT_CWD)', async () => {
    const dir = referenceDir();
    writeFileSync(path.join(dir, 'mine.yaml'), readFileSync(path.join(SCENARIOS, 'kasm.yaml'), 'utf8').replace(/^client: .*$/m, 'client: nobody'));
    const run = startCli(['mine.yaml', '--target', '.'], { script: 'scenario.ts', env: { INIT_CWD: dir } });
    expect(await run.exited).toBe(2);
    // Both files named as typed, from that folder.
    expect(run.output().trim().split('\n')).toEqual(['error: mine.yaml: client: nobody is not a client of target.yml (clients: rustdesk, proxmox, kasm, myapp, spa)']);
  });

  it('prints the redacted transcript, the verdict and the client snippet; exit 0; nothing left running', async () => {
    const dir = referenceDir();
    const marker = randomUUID();
    const run = startCli([path.join(SCENARIOS, 'kasm.yaml'), '--target', dir], { script: 'scenario.ts', env: { SCENARIO_TEST_MARKER: marker } });
    const code = await run.exited;
    const out = run.output();
    expect(code, out).toBe(0);
    expect(out).toMatch(/^scenario kasm \(kasm, client kasm\) against /m);
    expect(out).toContain('transcript (redacted):');
    expect(out).toMatch(/^\s+- client_id: kasm$/m);
    for (const secret of knownSecrets(loadProfile(dir))) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(await portFree(29213)).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  }, 60_000);

  // Was exit 2, which says the file has a mistake.
  it('a scenario that does not apply to the target: SKIP with the reason, exit 3 (neither a pass nor a mistake in the file)', async () => {
    const dir = referenceDir();
    const target = path.join(dir, 'target.yml');
    writeFileSync(target, readFileSync(target, 'utf8').replace('claims_profile: authelia-4.39', 'claims_profile: authelia-legacy'));
    const run = startCli([path.join(SCENARIOS, 'id-token-claims-only.yaml'), '--target', dir], { script: 'scenario.ts' });
    const code = await run.exited;
    expect(run.output()).toMatch(/^SKIP john was logged in with preferred_username, groups from the ID token, which this target may send \(claims profile authelia-legacy puts scope claims in the ID token\)/m);
    expect(run.output()).not.toMatch(/^error:/m);
    expect(code).toBe(3);
  }, 60_000);

  it('Ctrl-C while the browser is in the flow: exit 130, no verdict and no Playwright error printed, everything stopped', async () => {
    const dir = referenceDir();
    const marker = randomUUID();
    const run = startCli([path.join(SCENARIOS, 'proxmox.yaml'), '--target', dir], { script: 'scenario.ts', env: { SCENARIO_TEST_MARKER: marker } });
    // Printed once the provider, the relying parties and the browser are up, as the flow starts.
    await run.waitFor(/^scenario proxmox /m, 60_000);
    expect(await portFree(29212)).toBe(false);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const out = run.output();
    expect(out).not.toMatch(/PASS|FAIL|closed|error:|\n\s+at /);
    expect(await portFree(29212)).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  }, 60_000);

  it('a closed terminal (SIGHUP) or a kill (SIGTERM) ends it as Ctrl-C does: 128 + the signal, everything stopped', async () => {
    for (const [signal, code] of [['SIGHUP', 129], ['SIGTERM', 143]] as const) {
      const marker = randomUUID();
      const run = startCli([path.join(SCENARIOS, 'proxmox.yaml'), '--target', referenceDir()], { script: 'scenario.ts', env: { SCENARIO_TEST_MARKER: marker } });
      await run.waitFor(/^scenario proxmox /m, 60_000);
      run.child.kill(signal);
      expect(await run.exited).toBe(code);
      expect(run.output()).toMatch(new RegExp(`interrupted \\(${signal}\\): everything the scenario started is stopped; no verdict`));
      expect(run.output()).not.toMatch(/PASS|FAIL|closed|error:|\n\s+at /);
      expect(await portFree(29212)).toBe(true);
      expect(processesWith(marker)).toEqual([]);
    }
  }, 120_000);
});
