import { check, describe, collectProfile, confidential, skip, type CheckFixtures } from './harness.ts';
import { asPrerequisite } from '../src/checks/verdict.ts';
import type { ClientSpec } from '../src/model/target.ts';
import { introspect, refreshGrant, revoke, userinfo } from '../src/protocol/endpoints.ts';
import { endpoint, type Metadata } from '../src/protocol/metadata.ts';
import { idTokenOf } from '../src/checks/id-token.ts';
import * as k from '../src/checks/tokens.ts';
import { decodeJwt } from 'jose';

const profile = collectProfile();
const refreshers = profile.clients.filter(k.refreshAllowed);

function needs(meta: Metadata, name: string): string {
  const url = endpoint(meta, name);
  if (!url) skip(`the provider advertises no ${name}, and the profile names none (endpoints.${name}); see discovery.token-endpoints`);
  return url;
}

/** A refresh token of the check's own authorization. A client allowed the grant that asked for
 *  offline_access and got none: the check is blocked by refresh.issued-as-configured. */
async function refreshToken({ session }: CheckFixtures, client: ClientSpec): Promise<string> {
  const flow = await session.flow(client);
  const rt = flow.tokens.refresh_token;
  if (rt) return rt;
  await asPrerequisite({ id: k.refreshChecks.issued.id, client: client.id }, async () => k.checkRefreshIssued(flow.tokens, client, flow.req.scope, flow.tokenRes));
  return skip(`${client.id} got no refresh token for scope "${flow.req.scope}" (${client.sources.scopes ?? 'scopes'})`);
}

for (const client of profile.clients) {
  describe(`userinfo ${client.id}`, () => {
    const u = k.userinfoChecks;
    check('userinfo', u.get, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'userinfo_endpoint');
      const flow = await session.sharedFlow(client);
      k.checkUserinfo(await userinfo(meta, flow.tokens.access_token, 'GET'), client, 'GET');
    }, client);
    check('userinfo', u.post, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'userinfo_endpoint');
      const flow = await session.sharedFlow(client);
      k.checkUserinfo(await userinfo(meta, flow.tokens.access_token, 'POST'), client, 'POST');
    }, client);
    check('userinfo', u.sub, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'userinfo_endpoint');
      const flow = await session.sharedFlow(client);
      const res = await userinfo(meta, flow.tokens.access_token);
      const claims = k.checkUserinfo(res, client, 'GET');
      k.checkUserinfoSub(claims.sub, decodeJwt(idTokenOf(flow.tokenRes, client)).sub, res);
    }, client);
  });

  describe(`refresh ${client.id}`, () => {
    const r = k.refreshChecks;
    check('refresh', r.issued, async ({ session }) => {
      const flow = await session.sharedFlow(client);
      if (k.refreshAllowed(client) && !flow.req.scope.split(' ').includes('offline_access')) {
        skip(`${client.id} is allowed refresh_token but not the offline_access scope (${client.sources.scopes ?? 'scopes'})`);
      }
      k.checkRefreshIssued(flow.tokens, client, flow.req.scope, flow.tokenRes);
    }, client);

    if (k.refreshAllowed(client)) {
      check('refresh', r.works, async (fx) => {
        const { meta } = await fx.run.discovery();
        k.checkRefreshWorks(await refreshGrant(meta, { client }, await refreshToken(fx, client)), client);
      }, client);
      check('refresh', r.rotation, async (fx) => {
        const basis = k.rotationBasis(client, fx.run.profile.behaviour);
        if (!basis) skip(`rotation is not required of confidential clients (RFC 9700 §4.14.2), and the profile names no provider that documents it (provider:)`);
        const { meta } = await fx.run.discovery();
        const rt = await refreshToken(fx, client);
        const refreshRes = await refreshGrant(meta, { client }, rt);
        const json = k.checkRefreshWorks(refreshRes, client);
        k.checkRotation(json, rt, await refreshGrant(meta, { client }, rt), refreshRes, basis);
      }, client);
      check('refresh', r.parallel, async (fx) => {
        if (!fx.run.full) skip('sent with --full (certification): it races the provider on purpose');
        const basis = k.rotationBasis(client, fx.run.profile.behaviour);
        if (!basis) skip(`refresh tokens of ${client.id} need not be single use (RFC 9700 §4.14.2 asks it of public clients), and the profile names no provider that documents it`);
        const { meta } = await fx.run.discovery();
        const rt = await refreshToken(fx, client);
        // The same refresh token, several times at once: a single-use token is redeemed once.
        k.checkParallelRefresh(await Promise.all(Array.from({ length: k.PARALLEL_REFRESHES }, () => refreshGrant(meta, { client }, rt))), basis);
      }, client);
      check('refresh', r.bound, async (fx) => {
        // Another client allowed the grant, so only the binding can refuse it.
        const other = refreshers.find((o) => o.id !== client.id);
        if (!other) skip(`no other client is allowed refresh_token, so binding cannot be told apart from the grant restriction`);
        const { meta } = await fx.run.discovery();
        const rt = await refreshToken(fx, client);
        k.checkRefreshBound(await refreshGrant(meta, { client: other }, rt), client, other);
      }, client);
    } else {
      check('refresh', r.refused, async (fx) => {
        const { meta } = await fx.run.discovery();
        // Its own refresh token, where the provider issued one anyway: only the grant restriction
        // can refuse that one.
        const own = (await fx.session.flow(client)).tokens.refresh_token;
        if (own) return k.checkOwnRefreshRefused(await refreshGrant(meta, { client }, own), client);
        // Else another client's (or a made-up one), which the binding refuses too: only
        // unauthorized_client tells the grant restriction.
        const owner = refreshers[0];
        const rt = owner ? await refreshToken(fx, owner) : 'not-a-refresh-token';
        k.checkRefreshRefused(await refreshGrant(meta, { client }, rt), client, owner ? `the refresh token of ${owner.id}` : 'a made-up refresh token');
      }, client);
    }
  });

  describe(`revocation ${client.id}`, () => {
    const v = k.revocationChecks;
    check('revocation', v.access, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'revocation_endpoint');
      needs(meta, 'userinfo_endpoint');
      const flow = await session.flow(client);
      const revocation = await revoke(meta, { client }, flow.tokens.access_token, 'access_token');
      k.checkRevocationAnswer(revocation);
      k.checkRevokedAccessRefused(await userinfo(meta, flow.tokens.access_token), revocation);
    }, client);
    if (k.refreshAllowed(client)) {
      check('revocation', v.refresh, async (fx) => {
        const { meta } = await fx.run.discovery();
        needs(meta, 'revocation_endpoint');
        const rt = await refreshToken(fx, client);
        const revocation = await revoke(meta, { client }, rt, 'refresh_token');
        k.checkRevocationAnswer(revocation);
        k.checkRevokedRefreshRefused(await refreshGrant(meta, { client }, rt), revocation);
      }, client);
    }
  });
}

for (const client of confidential(profile)) {
  describe(`introspection ${client.id}`, () => {
    const i = k.introspectionChecks;
    check('introspection', i.active, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'introspection_endpoint');
      const flow = await session.sharedFlow(client);
      k.checkIntrospectionActive(await run.introspect(client, flow.tokens.access_token, 'access_token'), client, decodeJwt(idTokenOf(flow.tokenRes, client)).sub);
    }, client);
    check('introspection', i.identifies, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'introspection_endpoint');
      const flow = await session.sharedFlow(client);
      k.checkIntrospectionIdentifies(await run.introspect(client, flow.tokens.access_token, 'access_token'), client, decodeJwt(idTokenOf(flow.tokenRes, client)).sub);
    }, client);
    check('introspection', i.revoked, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'introspection_endpoint');
      needs(meta, 'revocation_endpoint');
      const flow = await session.flow(client);
      const revocation = await revoke(meta, { client }, flow.tokens.access_token, 'access_token');
      k.checkIntrospectionInactive(await run.introspect(client, flow.tokens.access_token, 'access_token'), revocation);
    }, client);
    check('introspection', i.auth, async ({ session, run }) => {
      const { meta } = await run.discovery();
      needs(meta, 'introspection_endpoint');
      const flow = await session.sharedFlow(client);
      k.checkIntrospectionNeedsAuth(await introspect(meta, { client, auth: 'omit' }, flow.tokens.access_token));
    }, client);
  });
}


check('userinfo', k.userinfoChecks.invalid, async ({ run }) => {
  const { meta } = await run.discovery();
  needs(meta, 'userinfo_endpoint');
  // A token the provider never issued: no flow needed, and no state to share.
  k.checkInvalidTokenRefused(await userinfo(meta, 'harness-invalid-access-token-0000000000', 'GET'));
});
