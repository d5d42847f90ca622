import { check, describe, collectProfile, confidential, skip } from './harness.ts';
import { exchangeCode, userinfo } from '../src/protocol/endpoints.ts';
import { otherSecretMethod } from '../src/protocol/client-auth.ts';
import { endpoint } from '../src/protocol/metadata.ts';
import * as f from '../src/checks/code-flow.ts';
import { expectConfigured } from '../src/checks/basis.ts';
import { exchangeWithBothMethods } from '../src/protocol/error-probes.ts';
import { sessionPaths } from './session-paths.ts';

const suite = 'code-flow';
const c = f.codeFlowChecks;
const profile = collectProfile();

// The happy path of every client: the prerequisite of every check that needs its tokens.
for (const client of profile.clients) {
  describe(`${client.id} exchange`, () => {
    check(suite, c.exchange, async ({ session }) => {
      await session.flow(client);
    }, client);
  });
}

for (const client of confidential(profile)) {
  describe(client.id, () => {

    check(suite, c.otherMethod, async ({ session, run }) => {
      const other = otherSecretMethod(client.tokenEndpointAuthMethod);
      if (!other) skip(`${client.id} uses ${client.tokenEndpointAuthMethod}; no other secret method to try`);
      expectConfigured(run.profile, client.sources.tokenEndpointAuthMethod, `token_endpoint_auth_method of ${client.id}`);
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const cb = await session.authorize(req);
      const res = await exchangeCode(meta, { client, auth: other }, f.codeOf(cb), req.redirectUri, req.verifier);
      f.checkOtherMethodRefused(res, client, other);
    }, client);

    check(suite, c.wrongSecret, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const cb = await session.authorize(req);
      const res = await exchangeCode(meta, { client: { ...client, secret: `${client.secret ?? ''}-wrong` } }, f.codeOf(cb), req.redirectUri, req.verifier);
      f.checkWrongSecretRefused(res, client);
    }, client);

    check(suite, c.state, async ({ session }) => {
      const req = await session.request(client);
      f.checkStateEchoed(await session.authorize(req));
    }, client);

    check(suite, c.iss, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const req = await session.request(client);
      f.checkIssParameter(await session.authorize(req), meta.authorization_response_iss_parameter_supported === true);
    }, client);

    check(suite, c.redirectMismatch, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const cb = await session.authorize(req);
      const other = new URL(req.redirectUri);
      other.pathname = `${other.pathname.replace(/\/$/, '')}/other`;
      f.checkRedirectBound(await exchangeCode(meta, { client }, f.codeOf(cb), other.href, req.verifier));
    }, client);

    check(suite, c.reuse, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const code = f.codeOf(await session.authorize(req));
      const first = await exchangeCode(meta, { client }, code, req.redirectUri, req.verifier);
      f.checkTokenResponse(first, client);
      f.checkReuseRefused(await exchangeCode(meta, { client }, code, req.redirectUri, req.verifier), first);
    }, client);

    check(suite, c.reuseRevokes, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const code = f.codeOf(await session.authorize(req));
      const first = await exchangeCode(meta, { client }, code, req.redirectUri, req.verifier);
      const tokens = f.checkTokenResponse(first, client);
      const reuse = await exchangeCode(meta, { client }, code, req.redirectUri, req.verifier);
      if (endpoint(meta, 'introspection_endpoint')) f.checkReuseRevokes(await run.introspect(client, tokens.access_token, 'access_token'), 'introspection', reuse);
      else f.checkReuseRevokes(await userinfo(meta, tokens.access_token), 'userinfo', reuse);
    }, client);
  });
}

for (const client of profile.clients) {
  describe(`pkce ${client.id}`, () => {
    const p = f.pkceChecks;
    check('pkce', p.s256, async ({ session }) => {
      await session.flow(client, { pkce: 'S256' });
    }, client);

    check('pkce', p.required, async ({ session, run }) => {
      const rule = f.pkceRequired(client, run.profile.provider);
      if (!rule.required) skip(`PKCE is not required for ${client.id} (${rule.source})`);
      if (!client.requirePkce) expectConfigured(run.profile, run.profile.provider.sources.enforcePkce, 'enforce_pkce');
      const req = await session.request(client, { pkce: false });
      f.checkAuthorizationRefused(await session.attempt(req, client), { message: `an authorization for ${client.id} without code_challenge was not refused`, source: rule.source });
    }, client);

    check('pkce', p.wrongVerifier, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const cb = await session.authorize(req);
      f.checkWrongVerifierRefused(await exchangeCode(meta, { client }, f.codeOf(cb), req.redirectUri, `${req.verifier ?? ''}x`.padEnd(43, 'x')));
    }, client);

    check('pkce', p.plain, async ({ session, run }) => {
      const provider = run.profile.provider;
      const source = provider.sources.enablePkcePlainChallenge ?? `enable_pkce_plain_challenge = ${provider.enablePkcePlainChallenge}`;
      expectConfigured(run.profile, provider.sources.enablePkcePlainChallenge, 'enable_pkce_plain_challenge');
      const req = await session.request(client, { pkce: 'plain' });
      const outcome = await session.attempt(req, client);
      if (provider.enablePkcePlainChallenge) {
        f.codeOf({ url: outcome.callback ?? new URL('about:blank'), state: req.state, issuer: run.issuer });
        return;
      }
      f.checkAuthorizationRefused(outcome, { message: `a plain code_challenge for ${client.id} was accepted`, source });
    }, client);
  });
}

for (const client of confidential(profile)) {
  describe(`${client.id} single authentication method`, () => {
    check(suite, c.singleAuthMethod, async ({ session, run }) => {
      const { meta } = await run.discovery();
      const req = await session.request(client);
      const cb = await session.authorize(req);
      f.checkSingleAuthMethod(await exchangeWithBothMethods(meta, client, f.codeOf(cb), req.redirectUri, req.verifier), client);
    }, client);
  });
}

for (const client of profile.clients) {
  describe(`${client.id} session reuse`, () => {
    check(suite, c.stateSessionReuse, async (fx) => {
      const { paths, notes } = await sessionPaths(fx, client);
      return [...f.checkStateAcrossPaths(paths), ...notes];
    }, client);
    check(suite, c.issSessionReuse, async (fx) => {
      const { meta } = await fx.run.discovery();
      const { paths, notes } = await sessionPaths(fx, client);
      return [...f.checkIssAcrossPaths(paths, meta.authorization_response_iss_parameter_supported === true), ...notes];
    }, client);
  });
}
