// A running reference provider for integration tests, with a raw-HTTP login session: the same
// flows the suites run, without Playwright, so a fault's effect on one check is quick to show.

import { afterEach } from 'vitest';
import { startEmbedded } from '../src/targets/embedded/provider.ts';
import { codeOverHttp, HttpSession } from '../src/protocol/form-flow.ts';
import { EMBEDDED_SELECTORS } from '../src/browser/drivers.ts';
import type { Fault } from '../src/targets/embedded/faults.ts';
import type { StartedTarget } from '../src/targets/types.ts';
import type { ClientSpec, TargetProfile } from '../src/model/target.ts';
import { fetchDiscovery, type Metadata } from '../src/protocol/metadata.ts';
import { authorizationRequest, type AuthorizationOptions } from '../src/protocol/authorize.ts';
import { exchangeCode } from '../src/protocol/endpoints.ts';
import * as f from '../src/checks/code-flow.ts';
import { testProfile } from './profile-fixture.ts';

export interface Env {
  session: HttpSession;
  profile: TargetProfile;
  issuer: string;
  meta: Metadata;
  discovery: Awaited<ReturnType<typeof fetchDiscovery>>;
  client(id: string): ClientSpec;
  callback(client: ClientSpec, options?: AuthorizationOptions): Promise<{ url: URL; req: Awaited<ReturnType<typeof authorizationRequest>> }>;
  flow(client: ClientSpec, options?: AuthorizationOptions): Promise<{ tokens: f.TokenSet; res: Awaited<ReturnType<typeof exchangeCode>>; nonce: string; startedAt: number }>;
}

let target: StartedTarget | undefined;
afterEach(async () => {
  await target?.stop();
  target = undefined;
});

export async function env(faults: Fault[], edit: (p: TargetProfile) => TargetProfile = (p) => p): Promise<Env> {
  const profile = edit(testProfile());
  target = await startEmbedded(profile, { faults });
  const issuer = target.issuer;
  const discovery = await fetchDiscovery(issuer);
  const meta = discovery.json as Metadata;
  const session = new HttpSession();
  const user = profile.users[0]!;
  const client = (id: string) => profile.clients.find((c) => c.id === id)!;
  const callback: Env['callback'] = async (c, options) => {
    const req = await authorizationRequest(meta, c, options);
    return { url: await codeOverHttp(session, req.url, req.redirectUri, { selectors: EMBEDDED_SELECTORS, user }), req };
  };
  const flow: Env['flow'] = async (c, options) => {
    const startedAt = Math.floor(Date.now() / 1000);
    const { url, req } = await callback(c, options);
    const res = await exchangeCode(meta, { client: c }, url.searchParams.get('code')!, req.redirectUri, req.verifier);
    return { tokens: f.checkTokenResponse(res, c), res, nonce: req.nonce, startedAt };
  };
  return { session, profile, issuer, meta, discovery, client, callback, flow };
}


