// The run as every worker sees it: the profile, the issuer, discovery and the JWKS fetched once
// per worker (owned by their checks, so their failure blocks the others), the redactor.

import { readRunInputs } from './run-inputs.ts';
import { readSettings } from '../config/settings.ts';
import { applyTrust, trustFromEnv } from '../targets/tls.ts';
import { createRedactor, knownSecrets, type Redactor } from '../report/redact.ts';
import { fetchDiscovery, endpoint, type Metadata } from '../protocol/metadata.ts';
import { send, HttpError, type RawResponse } from '../http/exchange.ts';
import { asPrerequisite, expectNoServerError, fail, ProviderError } from '../checks/verdict.ts';
import { checkJwks, checkReachable, withProfileEndpoints, type Jwks } from '../checks/discovery.ts';
import type { ClientSpec, TargetProfile } from '../model/target.ts';
import { introspect } from '../protocol/endpoints.ts';
import { introspectionAuthMethod } from '../protocol/client-auth.ts';

export interface RunContext {
  profile: TargetProfile;
  issuer: string;
  /** Clock skew tolerated, seconds. */
  skew: number;
  /** --full: watch lifespans of up to FULL_MAX_WAIT_S run out, race parallel refreshes. */
  full: boolean;
  redactor: Redactor;
  discovery(): Promise<{ res: RawResponse; meta: Metadata }>;
  jwks(): Promise<Jwks>;
  /** POSTs `token` to the introspection endpoint as `client` (RFC 7662 §2.1), authenticated as
   *  the profile or discovery says (introspectionAuthMethod). Throws when there is no endpoint. */
  introspect(client: ClientSpec, token: string, hint?: 'access_token' | 'refresh_token'): Promise<RawResponse>;
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

export function createRun(env: NodeJS.ProcessEnv = process.env): RunContext {
  // The CLI loaded and checked the profile (its secrets against their digests too) before the run;
  // without it there is no provider to judge (Playwright started by hand can only list the checks).
  const { profile } = readRunInputs(env, 'run');
  // A TLS target: its host name on loopback and the run's CA, for this worker's HTTP client.
  applyTrust(trustFromEnv(env));
  const issuer = env.HARNESS_ISSUER ?? profile.issuer;
  if (!issuer) throw new Error('no issuer: HARNESS_ISSUER is not set and the profile has none');
  // Every check needs discovery (and many the JWKS): their own checks own these steps, every
  // other check is blocked by them when they fail, so one broken document is one failure.
  const discovery = memo(() =>
    asPrerequisite({ id: 'discovery.reachable' }, async () => {
      const res = await fetchDiscovery(issuer).catch((err: unknown) => {
        if (err instanceof HttpError) throw new ProviderError({ message: `discovery unreachable: ${err.message}`, evidence: [{ label: 'discovery', http: err.exchange }] });
        throw err;
      });
      expectNoServerError(res, 'discovery');
      return { res, meta: withProfileEndpoints(checkReachable(res), profile.endpoints) };
    }),
  );
  const jwks = memo(async () => {
    const { meta } = await discovery();
    return asPrerequisite({ id: 'discovery.jwks-reachable' }, async () => {
      const uri = endpoint(meta, 'jwks_uri');
      if (!uri) return fail({ message: 'discovery has no jwks_uri', expected: 'jwks_uri', observed: '(absent)' });
      const res = await send({ url: uri });
      expectNoServerError(res, 'jwks');
      return checkJwks(res);
    });
  });
  return {
    profile,
    issuer,
    skew: readSettings(env).skew,
    full: env.HARNESS_FULL === '1',
    redactor: createRedactor(knownSecrets(profile)),
    discovery,
    jwks,
    async introspect(client, token, hint) {
      const { meta } = await discovery();
      return introspect(meta, { client, auth: introspectionAuthMethod(client, profile.introspectionAuthMethod) }, token, hint);
    },
  };
}
