import { check, describe, collectProfile, type CheckFixtures } from './harness.ts';
import type { ClientSpec } from '../src/model/target.ts';
import * as t from '../src/checks/id-token.ts';
import { sessionPaths } from './session-paths.ts';

const suite = 'id-token';
const c = t.idTokenChecks;
const profile = collectProfile();

async function input({ session, run }: CheckFixtures, client: ClientSpec): Promise<t.IdTokenInput> {
  const flow = await session.sharedFlow(client);
  return {
    client,
    issuer: run.issuer,
    response: flow.tokenRes,
    idToken: t.idTokenOf(flow.tokenRes, client),
    ...(flow.tokens.access_token ? { accessToken: flow.tokens.access_token } : {}),
    nonce: flow.req.nonce,
    jwks: await run.jwks(),
    skew: run.skew,
    startedAt: flow.startedAt,
    authTimeRequired: run.profile.behaviour?.authTimeAlways ?? false,
  };
}

const conditions: Array<[keyof typeof c, (i: t.IdTokenInput) => void | Promise<void>]> = [
  ['present', () => undefined],
  ['signature', t.checkSignature],
  ['kid', t.checkKid],
  ['alg', t.checkAlg],
  ['iss', t.checkIss],
  ['aud', t.checkAud],
  ['exp', t.checkExp],
  ['iat', t.checkIat],
  ['authTime', t.checkAuthTime],
  ['nonce', t.checkNonce],
  ['atHash', t.checkAtHash],
  ['sub', t.checkSub],
];

for (const client of profile.clients) {
  describe(client.id, () => {
    for (const [key, condition] of conditions) {
      check(suite, c[key], async (fx) => condition(await input(fx, client)), client);
    }
  });
}

// The JOSE header beyond alg and kid, and the nonce on every session path.
const headerConditions: Array<[keyof typeof c, (i: t.IdTokenInput) => void]> = [
  ['typ', t.checkTyp],
  ['crit', t.checkCrit],
  ['cty', t.checkCty],
];

for (const client of profile.clients) {
  describe(`${client.id} header and session reuse`, () => {
    for (const [key, condition] of headerConditions) {
      check(suite, c[key], async (fx) => condition(await input(fx, client)), client);
    }
    check(suite, c.nonceSessionReuse, async (fx) => {
      const { paths, notes } = await sessionPaths(fx, client);
      return [...t.checkNonceAcrossPaths(paths.map((p) => ({ path: p.path, nonceSent: p.req.nonce, idToken: t.idTokenOf(p.tokenRes, client), tokenRes: p.tokenRes }))), ...notes];
    }, client);
  });
}
