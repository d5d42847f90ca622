import { setTimeout as delay } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { check, describe, collectProfile, fail, skip, allowTime, type CheckFixtures } from './harness.ts';
import type { RawResponse } from '../src/http/exchange.ts';
import { exchangeCode, refreshGrant, userinfo } from '../src/protocol/endpoints.ts';
import { endpoint } from '../src/protocol/metadata.ts';
import { idTokenOf } from '../src/checks/id-token.ts';
import { codeOf } from '../src/checks/code-flow.ts';
import { refreshAllowed } from '../src/checks/tokens.ts';
import { describeResponse, expectJson200, expectRefusal, http } from '../src/checks/verdict.ts';
import * as l from '../src/checks/lifespans.ts';
import { expectConfigured } from '../src/checks/basis.ts';
import type { ClientSpec, Lifespans, TargetProfile } from '../src/model/target.ts';

/** The configured lifespan, when the configuration sets it (or the profile's provider has the default). */
function configuredLifespan(profile: TargetProfile, client: ClientSpec, key: keyof Lifespans): l.Lifespan {
  const life = l.lifespanFor(client, profile.provider, key);
  expectConfigured(profile, life.source, `the ${key} lifespan of ${client.id}`);
  return life;
}

const suite = 'lifespans';
const profile = collectProfile();

/** Codes of every client whose authorize_code lifespan this run watches, obtained together and
 *  redeemed once each lifespan (plus the skew) is over: the waits overlap, so the run lasts about
 *  the longest one, not their sum. Made once per worker, on the first check that needs it. */
let codeWatches: Map<string, Promise<{ res: RawResponse; waited: number }>> | undefined;
function watchCodes({ session, run }: CheckFixtures): Map<string, Promise<{ res: RawResponse; waited: number }>> {
  if (codeWatches) return codeWatches;
  const watches = new Map<string, Promise<{ res: RawResponse; waited: number }>>();
  let previous: Promise<unknown> = Promise.resolve();
  for (const client of run.profile.clients) {
    const life = l.lifespanFor(client, run.profile.provider, 'authorizeCode');
    if (life.seconds > (run.full ? l.FULL_MAX_WAIT_S : l.MAX_WAIT_S)) continue;
    // Codes one after another (one login session), waits side by side.
    const code = previous.then(async () => {
      const req = await session.request(client);
      return { req, code: codeOf(await session.authorize(req)) };
    });
    previous = code.catch(() => undefined);
    const watch = code.then(async ({ req, code: c }) => {
      const waited = life.seconds + run.skew;
      await delay(waited * 1000);
      const { meta } = await run.discovery();
      return { res: await exchangeCode(meta, { client }, c, req.redirectUri, req.verifier), waited };
    });
    watch.catch(() => undefined); // a client whose check is filtered out must not leave an unhandled rejection
    watches.set(client.id, watch);
  }
  return (codeWatches = watches);
}

/** The test's timeout covers a wait of `seconds` (Playwright's default would end it first). */
function allowWait(seconds: number): void {
  allowTime((seconds + 60) * 1000);
}

for (const client of profile.clients) {
  describe(client.id, () => {
    check(suite, l.lifespanChecks.idToken, async ({ session, run }) => {
      const flow = await session.sharedFlow(client);
      const claims = decodeJwt(idTokenOf(flow.tokenRes, client)) as Record<string, unknown>;
      l.checkDuration('ID token exp - iat', l.lifetimeOf(claims), configuredLifespan(run.profile, client, 'idToken'), run.skew, [{ label: 'ID token', data: { iat: claims.iat, exp: claims.exp } }]);
    }, client);

    check(suite, l.lifespanChecks.accessToken, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const flow = await session.sharedFlow(client);
      const expected = configuredLifespan(run.profile, client, 'accessToken');
      l.checkDuration('access token expires_in', flow.tokens.expires_in, expected, run.skew, http('token', flow.tokenRes));
      if (flow.tokens.access_token.split('.').length === 3) {
        const claims = decodeJwt(flow.tokens.access_token) as Record<string, unknown>;
        l.checkDuration('access token (JWT) exp - iat', l.lifetimeOf(claims), expected, run.skew, [{ label: 'access token claims', data: { iat: claims.iat, exp: claims.exp } }]);
      }
      if (!client.public && endpoint(meta, 'introspection_endpoint')) {
        const res = await run.introspect(client, flow.tokens.access_token, 'access_token');
        const json = expectJson200(res, { message: 'introspection of the access token failed', label: 'introspection' });
        if (typeof json.iat === 'number') l.checkDuration('access token exp - iat (introspection)', l.lifetimeOf(json), expected, run.skew, http('introspection', res));
      }
    }, client);

    if (refreshAllowed(client)) {
      check(suite, l.lifespanChecks.refreshToken, async ({ session, run }) => {
        const { meta } = await run.discovery();
        if (client.public) skip(`a refresh token's lifetime is read by introspection, which ${client.id} (public) cannot call; waiting ${configuredLifespan(run.profile, client, 'refreshToken').seconds} s is out of ${run.full ? 'a --full run (it watches lifespans of a few minutes)' : 'the default run'}`);
        if (!endpoint(meta, 'introspection_endpoint')) skip('the provider advertises no introspection_endpoint to read the refresh token lifetime');
        const flow = await session.sharedFlow(client);
        if (!flow.tokens.refresh_token) skip(`${client.id} got no refresh token`);
        const res = await run.introspect(client, flow.tokens.refresh_token, 'refresh_token');
        const json = expectJson200(res, { message: 'introspection of the refresh token failed', label: 'introspection' });
        if (json.active !== true) skip(`the provider does not introspect refresh tokens (active ${JSON.stringify(json.active)}), so their lifetime is not observable without waiting`);
        l.checkDuration('refresh token exp - iat (introspection)', l.lifetimeOf(json), configuredLifespan(run.profile, client, 'refreshToken'), run.skew, http('introspection', res));
      }, client);
    }

    check(suite, l.lifespanChecks.authorizeCode, async (fx) => {
      const life = configuredLifespan(fx.run.profile, client, 'authorizeCode');
      allowWait(l.expectWatchable('authorize_code', life, fx.run.full) + fx.run.skew);
      // Time passing is what is tested: the configured lifespan plus the skew setting, watched
      // together with every other client's.
      const { res, waited } = await watchCodes(fx).get(client.id)!;
      expectRefusal(res, ['invalid_grant'], { label: 'token (expired code)', message: `a code was redeemed ${waited} s after issue, past its ${life.seconds} s lifespan`, source: life.source });
    }, client);

    check(suite, l.lifespanChecks.accessTokenExpires, async ({ session, run }) => {
      const life = configuredLifespan(run.profile, client, 'accessToken');
      const { meta } = await run.discovery();
      if (!endpoint(meta, 'userinfo_endpoint')) skip('the provider advertises no userinfo_endpoint to present the token to');
      allowWait(l.expectWatchable('access_token', life, run.full) + run.skew);
      const flow = await session.flow(client);
      await delay((life.seconds + run.skew) * 1000);
      const res = await userinfo(meta, flow.tokens.access_token);
      if (res.status !== 401) fail({ message: `userinfo accepted an access token ${life.seconds + run.skew} s after issue, past its ${life.seconds} s lifespan (${describeResponse(res)})`, source: life.source, expected: 'HTTP 401 invalid_token', observed: describeResponse(res), evidence: http('userinfo (expired token)', res) });
    }, client);

    if (refreshAllowed(client)) {
      check(suite, l.lifespanChecks.refreshTokenExpires, async ({ session, run }) => {
        const life = configuredLifespan(run.profile, client, 'refreshToken');
        allowWait(l.expectWatchable('refresh_token', life, run.full) + run.skew);
        const { meta } = await run.discovery();
        const flow = await session.flow(client);
        if (!flow.tokens.refresh_token) skip(`${client.id} got no refresh token (see refresh.issued-as-configured)`);
        await delay((life.seconds + run.skew) * 1000);
        expectRefusal(await refreshGrant(meta, { client }, flow.tokens.refresh_token), ['invalid_grant'], { label: 'token (expired refresh token)', message: `a refresh token was accepted ${life.seconds + run.skew} s after issue, past its ${life.seconds} s lifespan`, source: life.source });
      }, client);
    }
  });
}
