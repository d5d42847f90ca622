import { setTimeout as delay } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { check, collectProfile, skip, test } from './harness.ts';
import { exchangeCode, introspect } from '../src/protocol/endpoints.ts';
import { endpoint } from '../src/protocol/metadata.ts';
import { idTokenOf } from '../src/checks/id-token.ts';
import { codeOf } from '../src/checks/code-flow.ts';
import { refreshAllowed } from '../src/checks/tokens.ts';
import { expectJson200, expectRefusal, http } from '../src/checks/verdict.ts';
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
/** Longest wait the default run accepts to watch a code expire. */
const MAX_WAIT_S = 5;

for (const client of profile.clients) {
  test.describe(client.id, () => {
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
        const res = await introspect(meta, { client }, flow.tokens.access_token, 'access_token');
        const json = expectJson200(res, { message: 'introspection of the access token failed', label: 'introspection' });
        if (typeof json.iat === 'number') l.checkDuration('access token exp - iat (introspection)', l.lifetimeOf(json), expected, run.skew, http('introspection', res));
      }
    }, client);

    if (refreshAllowed(client)) {
      check(suite, l.lifespanChecks.refreshToken, async ({ session, run }) => {
        const { meta } = await run.discovery();
        if (client.public) skip(`a refresh token's lifetime is read by introspection, which ${client.id} (public) cannot call; waiting ${configuredLifespan(run.profile, client, 'refreshToken').seconds} s is out of the default run`);
        if (!endpoint(meta, 'introspection_endpoint')) skip('the provider advertises no introspection_endpoint to read the refresh token lifetime');
        const flow = await session.sharedFlow(client);
        if (!flow.tokens.refresh_token) skip(`${client.id} got no refresh token`);
        const res = await introspect(meta, { client }, flow.tokens.refresh_token, 'refresh_token');
        const json = expectJson200(res, { message: 'introspection of the refresh token failed', label: 'introspection' });
        if (json.active !== true) skip(`the provider does not introspect refresh tokens (active ${JSON.stringify(json.active)}), so their lifetime is not observable without waiting`);
        l.checkDuration('refresh token exp - iat (introspection)', l.lifetimeOf(json), configuredLifespan(run.profile, client, 'refreshToken'), run.skew, http('introspection', res));
      }, client);
    }

    check(suite, l.lifespanChecks.authorizeCode, async ({ session, run }) => {
      const life = configuredLifespan(run.profile, client, 'authorizeCode');
      if (life.seconds > MAX_WAIT_S) skip(`observable only by waiting ${life.seconds} s (${life.source}); the default run waits at most ${MAX_WAIT_S} s, so give a client a short lifespans.custom authorize_code to check it`);
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const code = codeOf(await session.authorize(req));
      // Time passing is what is tested: wait out the configured lifespan plus the skew setting.
      await delay((life.seconds + run.skew) * 1000);
      const res = await exchangeCode(meta, { client }, code, req.redirectUri, req.verifier);
      expectRefusal(res, ['invalid_grant'], { label: 'token (expired code)', message: `a code was redeemed ${life.seconds + run.skew} s after issue, past its ${life.seconds} s lifespan`, source: life.source });
    }, client);
  });
}
