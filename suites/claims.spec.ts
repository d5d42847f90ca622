import path from 'node:path';
import { decodeJwt } from 'jose';
import { check, describe, collectProfile, skip, type CheckFixtures, type Flow, type WorkerSession } from './harness.ts';
import type { ClientSpec } from '../src/model/target.ts';
import type { Evidence } from '../src/model/check.ts';
import { exchangeCode, userinfo } from '../src/protocol/endpoints.ts';
import { endpoint } from '../src/protocol/metadata.ts';
import { defaultScope } from '../src/protocol/authorize.ts';
import { checkTokenResponse, codeOf } from '../src/checks/code-flow.ts';
import { idTokenOf } from '../src/checks/id-token.ts';
import { checkUserinfo } from '../src/checks/tokens.ts';
import { CheckFailure, expectJson200, fail, http } from '../src/checks/verdict.ts';
import * as c from '../src/checks/claims.ts';
import { expectConfigured } from '../src/checks/basis.ts';

const suite = 'claims';
const profile = collectProfile();
const EXTRA_SCOPES = ['profile', 'email', 'groups', 'address', 'phone'];

async function observe({ run }: CheckFixtures, client: ClientSpec, flow: Flow): Promise<c.Observed> {
  const { meta } = await run.discovery();
  const claims = checkUserinfo(await userinfo(meta, flow.tokens.access_token), client, 'GET');
  let introspection: Record<string, unknown> | undefined;
  if (!client.public && endpoint(meta, 'introspection_endpoint')) {
    introspection = expectJson200(await run.introspect(client, flow.tokens.access_token, 'access_token'), { message: 'introspection failed', label: 'introspection' });
  }
  return { id_token: decodeJwt(idTokenOf(flow.tokenRes, client)) as Record<string, unknown>, userinfo: claims, ...(introspection ? { introspection } : {}) };
}

/** Runs `fn` as every test user of the profile (claims differ by user: a user without a claim
 *  must show that too), each in its own login session. Fails naming each user whose claims are
 *  wrong; evidence is labelled by user. */
async function asEveryUser(fx: CheckFixtures, fn: (session: WorkerSession) => Promise<Evidence[]>): Promise<Evidence[]> {
  const evidence: Evidence[] = [];
  const failures: Array<{ user: string; failure: CheckFailure }> = [];
  for (const user of fx.run.profile.users) {
    try {
      evidence.push(...(await fn(fx.sessions.for(user))).map((e) => ({ ...e, label: `${user.username}: ${e.label}` })));
    } catch (err) {
      // Only a requirement failure is per user; a skip, block or error ends the check as it is.
      if (!(err instanceof CheckFailure) || err.prerequisite) throw err;
      failures.push({ user: user.username, failure: err });
    }
  }
  if (failures.length === 0) return evidence;
  const first = failures[0]!.failure.detail;
  return fail({
    ...first,
    message: failures.map((f) => `for ${f.user}: ${f.failure.detail.message}`).join('; '),
    evidence: failures.flatMap((f) => (f.failure.detail.evidence ?? []).map((e) => ({ ...e, label: `${f.user}: ${e.label}` }))),
  });
}

/** What the flow asked for and the configuration allows the client: never the provider's own
 *  account of what it granted, which is what is being checked. */
function granted(flow: Flow, client: ClientSpec): string[] {
  return c.grantedScopes(flow.req.scope, client);
}

for (const client of profile.clients) {
  describe(client.id, () => {
    const table = (fx: CheckFixtures, flow: Flow, user = fx.session.user) => c.expectedClaims(client, user, granted(flow, client), fx.run.profile.claimsProfile, path.basename(fx.run.profile.file));

    check(suite, c.claimsChecks.userinfo, (fx) => asEveryUser(fx, async (session) => {
      const flow = await session.sharedFlow(client);
      return c.checkClaims(table(fx, flow, session.user), await observe(fx, client, flow), ['userinfo'], `userinfo for ${client.id}`);
    }), client);

    check(suite, c.claimsChecks.idToken, (fx) => asEveryUser(fx, async (session) => {
      const flow = await session.sharedFlow(client);
      return c.checkClaims(table(fx, flow, session.user), await observe(fx, client, flow), ['id_token'], `ID token for ${client.id} (claims profile ${fx.run.profile.claimsProfile})`);
    }), client);

    check(suite, c.claimsChecks.perScope, async (fx) => {
      const scopes = client.scopes.filter((s) => s in c.SCOPE_CLAIMS);
      if (scopes.length < 2) skip(`${client.id} is allowed ${scopes.length ? 'one claims scope' : 'no claims scope'}, which the full-scope checks cover`);
      return asEveryUser(fx, async (session) => {
      const evidence: Evidence[] = [];
      // One scope at a time: its claims in userinfo with the right values, no other scope's claims.
      for (const scope of scopes) {
        const flow = await session.flow(client, { scope: `openid ${scope}` });
        const observed = await observe(fx, client, flow);
        c.checkNoLeak(granted(flow, client), observed, `scope "openid ${scope}" requested (${client.sources.scopes ?? 'scopes'})`);
        const expected = table(fx, flow, session.user);
        if (expected.length === 0) {
          evidence.push({ label: `scope ${scope}: the profile gives no expected values for this user, so only leaks were checked` });
          continue;
        }
        evidence.push(...c.checkClaims(expected, observed, ['userinfo', 'id_token'], `scope ${scope} alone for ${client.id}`).map((e) => ({ ...e, label: `scope ${scope}: ${e.label}` })));
      }
      return evidence;
      });
    }, client);

    check(suite, c.claimsChecks.noLeak, async (fx) => {
      const flow = await fx.session.flow(client, { scope: 'openid' });
      c.checkNoLeak(granted(flow, client), await observe(fx, client, flow), `only scope openid was requested (the provider's token response says scope ${JSON.stringify(flow.tokens.scope ?? '(absent)')})`);
    }, client);

    check(suite, c.claimsChecks.noEscalation, async (fx) => {
      const extra = EXTRA_SCOPES.find((s) => !client.scopes.includes(s));
      if (!extra) skip(`${client.id} is allowed every standard scope (${client.sources.scopes ?? 'scopes'})`);
      expectConfigured(fx.run.profile, client.sources.scopes, `scopes of ${client.id}`);
      const { meta } = await fx.run.discovery();
      const req = await fx.session.request(client, { scope: `${defaultScope(client)} ${extra}` });
      const cb = await fx.session.authorize(req);
      // Refusing the request because of the scope is as good as dropping it; another error is
      // told apart by the same request without the extra scope.
      if (cb.url.searchParams.get('error')) {
        if (cb.url.searchParams.get('error') === 'invalid_scope') return;
        return void c.checkEscalationError(extra, client, cb.url, (await fx.session.authorize(await fx.session.request(client))).url);
      }
      const tokenRes = await exchangeCode(meta, { client }, codeOf(cb), req.redirectUri, req.verifier);
      const tokens = checkTokenResponse(tokenRes, client);
      const flow: Flow = { req, callback: cb, startedAt: 0, tokenRes, tokens };
      c.checkNoEscalation(extra, client, tokens.scope, await observe(fx, client, flow), [{ label: 'token', http: tokenRes.exchange }]);
    }, client);

    check(suite, c.claimsChecks.subStable, async (fx) => {
      const { meta } = await fx.run.discovery();
      const flow = await fx.session.sharedFlow(client);
      const observed = await observe(fx, client, flow);
      const req = await fx.session.request(client);
      const again = await exchangeCode(meta, { client }, codeOf(await fx.session.authorizeFresh(req)), req.redirectUri, req.verifier);
      checkTokenResponse(again, client);
      c.checkSubStable([
        { where: 'ID token', sub: observed.id_token.sub },
        { where: 'userinfo', sub: observed.userinfo.sub },
        ...(observed.introspection ? [{ where: 'introspection', sub: observed.introspection.sub }] : []),
        { where: 'ID token after a new login', sub: decodeJwt(idTokenOf(again, client)).sub },
      ], http('token response after a new login', again));
    }, client);
  });
}

check(suite, c.claimsChecks.subjectTypes, async ({ session }) => {
  if (profile.clients.length < 2) skip('only one client is configured');
  const subs: c.ClientSub[] = [];
  for (const client of profile.clients) {
    const flow = await session.sharedFlow(client);
    subs.push({ client, sub: decodeJwt(idTokenOf(flow.tokenRes, client)).sub });
  }
  return [{ label: 'sub by client and sector', data: c.checkSubjectTypes(subs) }];
});

// Claim JSON types (OIDC Core §2, §5.1) wherever the claims are read.
for (const client of profile.clients) {
  describe(`${client.id} claim types`, () => {
    const idTokenClaims = (flow: Flow): c.TypedClaims => ({ where: 'ID token', claims: decodeJwt(idTokenOf(flow.tokenRes, client)) as Record<string, unknown>, response: flow.tokenRes });
    const userinfoClaims = async ({ run }: CheckFixtures, flow: Flow): Promise<c.TypedClaims> => {
      const { meta } = await run.discovery();
      if (!endpoint(meta, 'userinfo_endpoint')) skip('the provider advertises no userinfo_endpoint');
      const res = await userinfo(meta, flow.tokens.access_token);
      return { where: 'userinfo', claims: checkUserinfo(res, client, 'GET'), response: res };
    };

    check(suite, c.claimsChecks.typesIdToken, async (fx) => {
      const seen = idTokenClaims(await fx.session.sharedFlow(client));
      c.checkIdTokenClaimTypes(seen);
      return [{ label: 'ID token claims', data: seen.claims }];
    }, client);

    check(suite, c.claimsChecks.typesUserinfo, async (fx) => {
      const seen = await userinfoClaims(fx, await fx.session.sharedFlow(client));
      c.checkUserinfoClaimTypes(seen);
      return [{ label: 'userinfo claims', data: seen.claims }];
    }, client);

    check(suite, c.claimsChecks.typesNonStandard, async (fx) => {
      const flow = await fx.session.sharedFlow(client);
      const seen = [idTokenClaims(flow), await userinfoClaims(fx, flow)];
      if (!seen.some((s) => Object.keys(c.NON_STANDARD_CLAIM_TYPES).some((k) => k in s.claims))) skip(`neither the ID token nor userinfo of ${client.id} carries ${Object.keys(c.NON_STANDARD_CLAIM_TYPES).join(' or ')}`);
      c.checkNonStandardClaimTypes(seen);
    }, client);
  });
}
