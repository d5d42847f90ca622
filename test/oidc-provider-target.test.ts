// docker/oidc-provider: oidc-provider with its own defaults as a command target. The profile
// loads with the reference's clients, the process starts on a free port, its devInteractions
// pages are answered by the form driver's selectors over raw HTTP, and stop() ends it.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../src/config/profile.ts';
import { ROOT } from '../src/cli/run.ts';
import { startCommand } from '../src/targets/command.ts';
import type { StartedTarget } from '../src/targets/types.ts';
import { fetchDiscovery, type Metadata } from '../src/protocol/metadata.ts';
import { authorizationRequest } from '../src/protocol/authorize.ts';
import { exchangeCode } from '../src/protocol/endpoints.ts';
import { HttpSession } from '../src/protocol/session.ts';
import { answerPages } from '../src/protocol/form-flow.ts';
import { pageKind } from '../src/protocol/forms.ts';
import { selectorsFor } from '../src/browser/drivers.ts';

const profile = loadProfile(path.join(ROOT, 'docker/oidc-provider'), { verifyDigests: false });

describe('docker/oidc-provider profile', () => {
  it('is a command target on a free port, with the reference clients and users and the form driver', () => {
    expect(profile.start.mode).toBe('command');
    if (profile.start.mode !== 'command') return;
    expect(profile.start.port).toBe('auto');
    expect(profile.start.args).toContain('${PORT}');
    expect(profile.issuer).toBe('http://127.0.0.1:${PORT}');
    expect(profile.login.driver).toBe('form');
    const ref = loadProfile(path.join(ROOT, 'docker/reference'), { verifyDigests: false });
    expect(profile.clients).toEqual(ref.clients);
    expect(profile.users).toEqual(ref.users);
    expect(profile.provider).toEqual(ref.provider);
  });
});

describe('docker/oidc-provider running', () => {
  let target: StartedTarget;
  let meta: Metadata;
  beforeAll(async () => {
    target = await startCommand(profile);
    meta = (await fetchDiscovery(target.issuer)).json as Metadata;
  }, 60_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('answers discovery at the issuer filled in with its port', () => {
    expect(target.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(meta.issuer).toBe(target.issuer);
    expect(meta.scopes_supported).toEqual(['openid', 'offline_access', 'profile', 'email', 'address', 'phone', 'groups']);
  });

  it("its login and consent pages are answered by the profile's selectors, and the code is redeemed", async () => {
    const client = profile.clients.find((c) => c.id === 'rustdesk')!;
    const selectors = selectorsFor(profile.login);
    const session = new HttpSession();
    const req = await authorizationRequest(meta, client);
    const first = await session.follow(req.url, req.redirectUri);
    expect(first.kind === 'page' && pageKind(first.body, selectors)).toBe('login');
    const done = await answerPages(session, first, req.redirectUri, { selectors, user: profile.users[0]! });
    expect(done.kind).toBe('callback');
    if (done.kind !== 'callback') return;
    const res = await exchangeCode(meta, { client }, done.url.searchParams.get('code')!, req.redirectUri, req.verifier);
    expect(res.status).toBe(200);
    // ttl.AccessToken from identity_providers.oidc.lifespans.access_token.
    expect((res.json as { expires_in: number }).expires_in).toBe(profile.provider.lifespans.accessToken);
  });

  it('stop() ends the process: the port no longer answers', async () => {
    await target.stop();
    await expect(fetchDiscovery(target.issuer, 1_000)).rejects.toThrow();
  });
});
