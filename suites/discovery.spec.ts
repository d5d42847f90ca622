import { check, collectProfile } from './harness.ts';
import * as d from '../src/checks/discovery.ts';

const suite = 'discovery';
const c = d.discoveryChecks;
collectProfile();

check(suite, c.reachable, async ({ run }) => {
  await run.discovery();
});
check(suite, c.issuer, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkIssuer(meta, run.issuer, res);
});
check(suite, c.required, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkRequiredMetadata(meta, res);
});
check(suite, c.userinfo, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkUserinfoAdvertised(meta, res);
});
check(suite, c.jwks, async ({ run }) => {
  await run.jwks();
});
check(suite, c.responseTypes, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkResponseTypeCode(meta, res);
});
check(suite, c.authMethods, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkAuthMethods(meta, run.profile, res);
});
check(suite, c.signingAlgs, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkIdTokenAlgs(meta, run.profile, res);
});
check(suite, c.pkceMethods, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkPkceMethods(meta, run.profile, res);
});
check(suite, c.grantTypes, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkGrantTypes(meta, run.profile, res);
});
check(suite, c.scopes, async ({ run }) => {
  const { meta, res } = await run.discovery();
  d.checkScopes(meta, run.profile, res);
});
