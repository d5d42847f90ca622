// Every fault switch of the reference provider, driven through the registered checks of the real
// suites (`npm run conformance` with the fault on): the check named for the defect must come out
// failed (or warning, for a warning-severity check). Condition tests call the verdict functions on
// hand-built flows; these prove the suite wires each check so that it can fail at all.
// The runs use a copy of the reference profile on other relying-party ports, so they never
// collide with test/cli.test.ts (vitest runs files in parallel).

import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../src/cli/run.ts';
import { cli, resultsOf, type Result } from './cli-run.ts';
import { FAULTS, type Fault } from '../src/targets/embedded/faults.ts';
import { verdictKey } from '../src/model/check.ts';
import { tempDir } from './thrown.ts';

/** The checks (verdict keys, as regular expressions) each fault must break, and the --grep that runs them. */
/** `outcome`: what the fault makes of the check when it is not a failure (a server error is an
 *  error; a provider whose answer does not show the defect either way is "cannot tell": skipped). */
/** `args`: more command-line arguments (`--full` for the checks only a certification run makes).
 *  `message`: what the broken check must say, where the wording is the point. `evidence`: labels
 *  its evidence must carry. */
interface Break { grep: string; breaks: RegExp; outcome?: 'error' | 'skipped' | 'warning'; target?: 'reference-alt'; with?: Fault[]; args?: string[]; message?: RegExp; evidence?: string[] }
const BREAKS: Record<Fault, Break | Break[]> = {
  'token-scope-overstated': { grep: 'claims\\.no-leak', breaks: /^claims\.no-leak \[/, with: ['claims-leak'] },
  'authorization-temporarily-unavailable': { grep: 'claims\\.no-escalation', breaks: /^claims\.no-escalation \[/, outcome: 'skipped' },
  'redirect-uri-interstitial': { grep: 'redirect-uri\\.unregistered', breaks: /^redirect-uri\.unregistered \[/, outcome: 'skipped' },
  'redirect-uri-error-form-post': { grep: 'redirect-uri\\.unregistered', breaks: /^redirect-uri\.unregistered \[/ },
  'refresh-grant-not-restricted': { grep: 'refresh\\.refused-without-grant', breaks: /^refresh\.refused-without-grant \[/, outcome: 'skipped' },
  'introspection-unavailable': [
    { grep: 'code\\.reuse-revokes-tokens', breaks: /^code\.reuse-revokes-tokens \[/, outcome: 'skipped' },
    { grep: 'rp\\.openid-client\\.introspection', breaks: /^rp\.openid-client\.introspection \[(rustdesk|proxmox|kasm|myapp)\]/ },
  ],
  'id-token-no-at-hash': { grep: 'id-token\\.at-hash', breaks: /^id-token\.at-hash \[/, outcome: 'skipped' },
  'introspection-anonymous': { grep: 'introspection\\.identifies-token', breaks: /^introspection\.identifies-token \[/, outcome: 'warning' },
  'claims-in-id-token': { grep: 'claims\\.id-token-placement', breaks: /^claims\.id-token-placement \[/ },
  'userinfo-drops-groups': { grep: 'claims\\.userinfo-values', breaks: /^claims\.userinfo-values \[(kasm|myapp|spa)\]/ },
  'email-verified-as-string': { grep: 'claims\\.types-userinfo', breaks: /^claims\.types-userinfo \[/ },
  'claims-leak': { grep: 'claims\\.no-leak', breaks: /^claims\.no-leak \[/ },
  'scope-not-enforced': { grep: 'claims\\.no-escalation', breaks: /^claims\.no-escalation \[/ },
  'sub-per-login': { grep: 'claims\\.sub-stable', breaks: /^claims\.sub-stable \[/ },
  'redirect-uri-prefix-match': { grep: 'redirect-uri\\.prefix-match', breaks: /^redirect-uri\.prefix-match \[/ },
  'redirect-uri-case-insensitive': { grep: 'redirect-uri\\.case-changed', breaks: /^redirect-uri\.case-changed \[(rustdesk|kasm|myapp|spa)\]/ },
  'redirect-uri-error-redirect': [
    { grep: 'redirect-uri\\.unregistered', breaks: /^redirect-uri\.unregistered \[/ },
    // The browser, signed in with the session made over raw HTTP, is sent to the unregistered URI:
    // said as such, not as the navigation error Chromium gives for the unresolvable host.
    { grep: 'redirect-uri\\.error-page', breaks: /^redirect-uri\.error-page \[/, message: /^the browser was sent to https:\/\/rp\.invalid\/callback$/ },
  ],
  'lifespans-ignored': { grep: 'lifespan\\.(id-token|access-token)', breaks: /^lifespan\.(id-token|access-token) \[/ },
  'cors-wildcard': { grep: 'cors\\.token\\.', breaks: /^cors\.token\.(allowed|disallowed)-origin$/ },
  'entropy-not-enforced': { grep: 'client\\.state-entropy', breaks: /^client\.state-entropy \[/ },
  'response-mode-not-enforced': { grep: 'client\\.response-mode-restricted', breaks: /^client\.response-mode-restricted \[/ },
  'consent-skipped': { grep: 'client\\.consent-mode', breaks: /^client\.consent-mode \[(rustdesk|proxmox|myapp|spa)\]/ },
  'pairwise-ignored': { grep: 'claims\\.subject-types', breaks: /^claims\.subject-types$/, target: 'reference-alt' },
  // A failed browser check carries the browser's navigations (the trace records no network), its screenshot and its trace.
  'second-factor-skipped': { grep: 'login\\.second-factor', breaks: /^login\.second-factor \[kasm\]/, evidence: ["the browser's navigations (method, URL, status)", 'screenshot of the page at failure', 'Playwright trace (npx playwright show-trace <file>)'] },
  'consent-not-remembered': { grep: 'client\\.consent-mode', breaks: /^client\.consent-mode \[nextcloud\]/, target: 'reference-alt' },
  'consent-deny-ignored': { grep: 'login\\.consent-deny', breaks: /^login\.consent-deny \[/ },
  'discovery-wrong-issuer': { grep: 'discovery\\.issuer', breaks: /^discovery\.issuer-matches$/ },
  'discovery-no-jwks-uri': { grep: 'discovery\\.required', breaks: /^discovery\.required-metadata$/ },
  // The suites' own Basic credentials are not encoded (a secret of letters, digits and _ needs
  // none): only the scenario whose library encodes them strictly (openid-client) breaks.
  // openid-client form-encodes the Basic credentials (insecure%5Fsecret): refused for every client registered for client_secret_basic.
  'basic-credentials-not-decoded': { grep: 'rp\\.openid-client\\.code', breaks: /^rp\.openid-client\.code \[(rustdesk|proxmox|kasm)\]/ },
  'refresh-response-malformed': { grep: 'rp\\.openid-client\\.refresh', breaks: /^rp\.openid-client\.refresh \[(myapp|spa)\]/ },
  'revocation-answers-204': { grep: 'rp\\.openid-client\\.revocation', breaks: /^rp\.openid-client\.revocation \[/ },
  'discovery-omits-token-endpoints': { grep: 'discovery\\.token-endpoints', breaks: /^discovery\.token-endpoints$/ },
  'discovery-advertises-plain': { grep: 'discovery\\.pkce', breaks: /^discovery\.pkce-methods$/ },
  'auth-method-not-enforced': { grep: 'code\\.other-auth-method', breaks: /^code\.other-auth-method-rejected \[/ },
  'pkce-not-required': { grep: 'pkce\\.required', breaks: /^pkce\.required \[spa\]/ },
  'id-token-bad-signature': { grep: 'id-token\\.signature', breaks: /^id-token\.signature \[/ },
  'id-token-no-kid': { grep: 'id-token\\.kid', breaks: /^id-token\.kid \[/ },
  'id-token-wrong-aud': { grep: 'id-token\\.aud', breaks: /^id-token\.aud \[/ },
  'id-token-wrong-iss': { grep: 'id-token\\.iss', breaks: /^id-token\.iss \[/ },
  'id-token-expired': { grep: 'id-token\\.exp', breaks: /^id-token\.exp \[/ },
  'id-token-wrong-nonce': [
    { grep: 'id-token\\.nonce ', breaks: /^id-token\.nonce \[/ },
    { grep: 'rp\\.openid-client\\.code', breaks: /^rp\.openid-client\.code \[/ },
  ],
  'id-token-iat-future': { grep: 'id-token\\.iat', breaks: /^id-token\.iat \[/ },
  'id-token-bad-at-hash': { grep: 'id-token\\.at-hash', breaks: /^id-token\.at-hash \[/ },
  'id-token-auth-time-zero': { grep: 'id-token\\.auth-time', breaks: /^id-token\.auth-time \[/ },
  'authorization-drops-state': { grep: 'code\\.state-echoed', breaks: /^code\.state-echoed \[/ },
  'code-reuse-accepted': { grep: 'code\\.reuse-rejected', breaks: /^code\.reuse-rejected \[/ },
  'userinfo-wrong-sub': [
    { grep: 'userinfo\\.sub-matches', breaks: /^userinfo\.sub-matches \[/ },
    { grep: 'rp\\.openid-client\\.userinfo', breaks: /^rp\.openid-client\.userinfo \[/ },
  ],
  'userinfo-no-www-authenticate': { grep: 'userinfo\\.invalid-token', breaks: /^userinfo\.invalid-token$/ },
  'userinfo-post-refused': { grep: 'userinfo\\.post', breaks: /^userinfo\.post \[/ },
  'refresh-for-all': { grep: 'refresh\\.issued', breaks: /^refresh\.issued-as-configured \[(rustdesk|proxmox|kasm)\]/ },
  'refresh-no-rotation': [
    { grep: 'refresh\\.rotation', breaks: /^refresh\.rotation \[/ },
    { grep: 'refresh\\.parallel-single-use', breaks: /^refresh\.parallel-single-use \[/, args: ['--full'] },
  ],
  'introspection-no-client-auth': { grep: 'introspection\\.client-auth', breaks: /^introspection\.client-auth-required \[/ },
  'revocation-noop': { grep: 'revocation\\.access-token', breaks: /^revocation\.access-token \[/ },
  'discovery-not-json': { grep: 'discovery\\.reachable', breaks: /^discovery\.reachable$/ },
  'token-server-error': { grep: 'code\\.exchange', breaks: /^code\.exchange \[/, outcome: 'error' },
  'refresh-never-issued': { grep: 'refresh\\.issued', breaks: /^refresh\.issued-as-configured \[(myapp|spa)\]/ },
  'server-error-under-load': { grep: 'provider\\.concurrency', breaks: /^provider\.concurrency/ },
  'updated-at-as-string': { grep: 'claims\\.types-id-token', breaks: /^claims\.types-id-token \[/ },
  'groups-as-string': { grep: 'claims\\.types-non-standard', breaks: /^claims\.types-non-standard \[(kasm|myapp|spa)\]/ },
  'id-token-typ': { grep: 'id-token\\.typ', breaks: /^id-token\.typ \[/ },
  'id-token-crit': { grep: 'id-token\\.crit', breaks: /^id-token\.crit \[/ },
  'id-token-cty': { grep: 'id-token\\.cty', breaks: /^id-token\.cty \[/ },
  'id-token-stale-nonce': { grep: 'id-token\\.nonce-session-reuse', breaks: /^id-token\.nonce-session-reuse \[/ },
  'authorization-stale-state': { grep: 'code\\.state-session-reuse', breaks: /^code\.state-session-reuse \[/ },
  'authorization-iss-dropped-on-reuse': { grep: 'code\\.iss-session-reuse', breaks: /^code\.iss-session-reuse \[/ },
  'token-errors-text-plain': { grep: 'token-errors\\.json', breaks: /^token-errors\.json \[/ },
  'token-errors-no-www-authenticate': { grep: 'token-errors\\.www-authenticate', breaks: /^token-errors\.www-authenticate \[/ },
  'auth-both-methods-accepted': { grep: 'code\\.single-auth-method', breaks: /^code\.single-auth-method \[/ },
};

/** A shipped reference profile copied with its relying parties moved to other ports. */
function onOtherPorts(name: 'reference' | 'reference-alt'): string {
  const dir = tempDir('harness-faults-');
  const move = (text: string) => text.replace(/127\.0\.0\.1:290(\d\d)/g, '127.0.0.1:291$1');
  writeFileSync(path.join(dir, 'configuration.yml'), move(readFileSync(path.join(ROOT, 'docker', name, 'configuration.yml'), 'utf8')));
  writeFileSync(path.join(dir, 'target.yml'), readFileSync(path.join(ROOT, 'docker', name, 'target.yml'), 'utf8'));
  return dir;
}

function run(target: string, fault: string, grep: string, args: string[] = []): Promise<{ code: number | null; out: string; results: Result[] }> {
  const reportDir = tempDir('harness-fault-');
  return cli(['--target', target, '--grep', grep, '--report-dir', reportDir, ...args], 90_000, { HARNESS_EMBEDDED_FAULTS: fault }).then((r) => ({ code: r.code, out: r.out + r.err, results: resultsOf(reportDir) }));
}

describe('every fault through the registered checks', () => {
  const targets = { reference: onOtherPorts('reference'), 'reference-alt': onOtherPorts('reference-alt') };
  it('every fault switch has the check it must break', () => {
    expect(Object.keys(BREAKS).sort()).toEqual([...FAULTS].sort());
  });
  for (const fault of FAULTS) {
    for (const b of ([] as Break[]).concat(BREAKS[fault])) {
      it(`${fault}: ${b.breaks.source}${b.args ? ` (${b.args.join(' ')})` : ''}`, async () => {
        const { grep, breaks, outcome, target, with: also, args, message, evidence } = b;
        const r = await run(targets[target ?? 'reference'], [fault, ...(also ?? [])].join(','), grep, args);
        const key = verdictKey;
        const hit = r.results.filter((x) => breaks.test(key(x)));
        expect(hit.length, `no result matches ${breaks}:\n${r.out.slice(-1500)}`).toBeGreaterThan(0);
        for (const x of hit) {
          expect(`${key(x)} ${x.outcome}`, x.message).toBe(`${key(x)} ${outcome ?? (x.severity === 'warning' ? 'warning' : 'failed')}`);
          expect(x.message ?? '').not.toBe('');
          if (message) expect(x.message).toMatch(message);
          if (evidence) expect((x.evidence as Array<{ label: string }>).map((e) => e.label)).toEqual(expect.arrayContaining(evidence));
          // A finding comes with what was seen: the HTTP exchange, the values read, or a screenshot.
          if (x.outcome !== 'skipped') expect(x.evidence ?? [], `${key(x)} carries no evidence`).not.toEqual([]);
        }
      }, 90_000);
    }
  }
});
