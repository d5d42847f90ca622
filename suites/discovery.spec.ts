import { check, collectProfile, describe, type RunContext } from './harness.ts';
import type { CheckDef } from '../src/model/check.ts';
import type { RawResponse } from '../src/http/exchange.ts';
import type { Metadata } from '../src/protocol/metadata.ts';
import * as d from '../src/checks/discovery.ts';

const suite = 'discovery';
const c = d.discoveryChecks;
collectProfile();

describe('discovery', () => {
  check(suite, c.reachable, async ({ run }) => {
    await run.discovery();
  });
  check(suite, c.jwks, async ({ run }) => {
    await run.jwks();
  });

  // The rest read the discovery document the worker fetched once.
  const onMetadata: Array<[CheckDef, (meta: Metadata, res: RawResponse, run: RunContext) => void]> = [
    [c.issuer, (meta, res, run) => d.checkIssuer(meta, run.issuer, res)],
    [c.required, (meta, res) => d.checkRequiredMetadata(meta, res)],
    [c.userinfo, (meta, res) => d.checkUserinfoAdvertised(meta, res)],
    [c.responseTypes, (meta, res) => d.checkResponseTypeCode(meta, res)],
    [c.authMethods, (meta, res, run) => d.checkAuthMethods(meta, run.profile, res)],
    [c.signingAlgs, (meta, res, run) => d.checkIdTokenAlgs(meta, run.profile, res)],
    [c.pkceMethods, (meta, res, run) => d.checkPkceMethods(meta, run.profile, res)],
    [c.grantTypes, (meta, res, run) => d.checkGrantTypes(meta, run.profile, res)],
    [c.scopes, (meta, res, run) => d.checkScopes(meta, run.profile, res)],
    [c.endpoints, (meta, res) => d.checkTokenEndpoints(meta, res)],
  ];
  for (const [def, condition] of onMetadata) {
    check(suite, def, async ({ run }) => {
      const { meta, res } = await run.discovery();
      condition(meta, res, run);
    });
  }
});
