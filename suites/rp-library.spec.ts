import { check, describe, collectProfile, skip, type CheckFixtures } from './harness.ts';
import { libraryRefused, rpLibraryChecks as c } from '../src/checks/rp-library.ts';
import { libraryClient, oidc, type LibraryClient } from '../src/protocol/rp-library.ts';
import { endpoint, type Metadata } from '../src/protocol/metadata.ts';
import { asPrerequisite } from '../src/checks/verdict.ts';
import { refreshAllowed } from '../src/checks/tokens.ts';
import type { ClientSpec } from '../src/model/target.ts';
import type { WorkerSession } from '../src/session/worker-session.ts';

const suite = 'rp-library';
const profile = collectProfile();

type Tokens = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/** A code flow completed by openid-client: our session answers the provider's pages, the
 *  library builds nothing itself but validates everything it receives. */
async function codeFlow(fx: CheckFixtures, session: WorkerSession, client: ClientSpec): Promise<{ lib: LibraryClient; tokens: Tokens }> {
  const { meta } = await fx.run.discovery();
  // rp.openid-client.code owns this step: when the library refuses the code flow, the checks of
  // what follows it are blocked by that one finding, not failed again with the same cause.
  return asPrerequisite({ id: c.code.id, client: client.id }, () => codeFlowSteps(meta, session, client));
}

async function codeFlowSteps(meta: Metadata, session: WorkerSession, client: ClientSpec): Promise<{ lib: LibraryClient; tokens: Tokens }> {
  const lib = libraryClient(meta, client);
  const req = await session.request(client);
  const callback = await session.authorize(req);
  try {
    const tokens = await oidc.authorizationCodeGrant(lib.config, callback.url, { expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true, ...(req.verifier ? { pkceCodeVerifier: req.verifier } : {}) });
    return { lib, tokens };
  } catch (err) {
    return libraryRefused('code exchange', err, lib.exchanges);
  }
}

// Read-only checks share one flow per client and worker, from the reader session: a revocation
// by another check never ends their tokens.
const shared = new Map<string, Promise<{ lib: LibraryClient; tokens: Tokens }>>();
function sharedFlow(fx: CheckFixtures, client: ClientSpec) {
  let f = shared.get(client.id);
  if (!f) {
    f = codeFlow(fx, fx.session.readerSession(), client);
    shared.set(client.id, f);
  }
  return f;
}

for (const client of profile.clients) {
  describe(client.id, () => {
    check(suite, c.code, async (fx) => {
      const { tokens } = await codeFlow(fx, fx.session, client);
      return [{ label: 'accepted by openid-client', data: { token_type: tokens.token_type, expires_in: tokens.expires_in, scope: tokens.scope, id_token_claims: Object.keys(tokens.claims() ?? {}) } }];
    }, client);

    check(suite, c.userinfo, async (fx) => {
      const { meta } = await fx.run.discovery();
      if (!endpoint(meta, 'userinfo_endpoint')) skip('the provider advertises no userinfo_endpoint');
      const { lib, tokens } = await sharedFlow(fx, client);
      const sub = tokens.claims()?.sub;
      await oidc.fetchUserInfo(lib.config, tokens.access_token, sub ?? oidc.skipSubjectCheck).catch((err: unknown) => libraryRefused('userinfo response', err, lib.exchanges));
    }, client);

    check(suite, c.introspection, async (fx) => {
      const { meta } = await fx.run.discovery();
      if (!endpoint(meta, 'introspection_endpoint')) skip('the provider advertises no introspection_endpoint');
      if (client.public) skip(`${client.id} is public: introspection needs client authentication`);
      const { lib, tokens } = await sharedFlow(fx, client);
      const answer = await oidc.tokenIntrospection(lib.config, tokens.access_token).catch((err: unknown) => libraryRefused('introspection response', err, lib.exchanges));
      if (answer.active !== true) libraryRefused('introspection response', new Error(`an access token issued moments ago introspects as active: ${JSON.stringify(answer.active)}`), lib.exchanges);
    }, client);

    check(suite, c.refresh, async (fx) => {
      if (!refreshAllowed(client)) skip(`${client.id} is not allowed the refresh_token grant`);
      // Its own flow, with offline_access where the client may ask for it: refreshing changes state.
      const { lib, tokens } = await codeFlow(fx, fx.session, client);
      if (!tokens.refresh_token) skip(`${client.id} got no refresh token (refresh.issued-as-configured judges that)`);
      await oidc.refreshTokenGrant(lib.config, tokens.refresh_token).catch((err: unknown) => libraryRefused('refresh', err, lib.exchanges));
    }, client);

    check(suite, c.revocation, async (fx) => {
      const { meta } = await fx.run.discovery();
      if (!endpoint(meta, 'revocation_endpoint')) skip('the provider advertises no revocation_endpoint');
      const { lib, tokens } = await codeFlow(fx, fx.session, client);
      await oidc.tokenRevocation(lib.config, tokens.access_token).catch((err: unknown) => libraryRefused('revocation', err, lib.exchanges));
    }, client);
  });
}
