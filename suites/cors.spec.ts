import { check, collectProfile, describe, skip, type RunContext, type WorkerSession } from './harness.ts';
import { send } from '../src/http/exchange.ts';
import { discoveryUrl, endpoint } from '../src/protocol/metadata.ts';
import * as c from '../src/checks/cors.ts';

const suite = 'cors';
const profile = collectProfile();

interface Target {
  name: c.CorsEndpoint;
  metadata?: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  query?: Record<string, string>;
  /** Sent with a valid access token (Authorization: Bearer), as a browser app calls the endpoint. */
  bearer?: true;
}

// Harmless requests, as a browser app would send them (a client_id where the endpoint takes one,
// so a provider that answers CORS per client can tell whose request it is). Those that would
// change something are refused (no valid code or token), which is still an answer whose CORS
// headers a browser would apply. Userinfo, which only reads, is asked with a valid access token:
// a provider may answer an invalid token's 401 to any origin and refuse the browser app's real
// request (oidc-provider's per-client origin check comes after the token's), and judging only the
// 401 passed it.
const tokenClient = profile.clients.find((c) => c.public) ?? profile.clients[0]!;
const someClient = tokenClient.id;
const TARGETS: Target[] = [
  { name: 'discovery', method: 'GET', headers: {} },
  { name: 'jwks', metadata: 'jwks_uri', method: 'GET', headers: {} },
  { name: 'authorization', metadata: 'authorization_endpoint', method: 'GET', headers: {}, query: { response_type: 'code', client_id: someClient } },
  { name: 'token', metadata: 'token_endpoint', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=authorization_code&code=not-a-code&client_id=${encodeURIComponent(someClient)}` },
  { name: 'revocation', metadata: 'revocation_endpoint', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=not-a-token&client_id=${encodeURIComponent(someClient)}` },
  { name: 'introspection', metadata: 'introspection_endpoint', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=not-a-token&client_id=${encodeURIComponent(someClient)}` },
  { name: 'userinfo', metadata: 'userinfo_endpoint', method: 'GET', headers: {}, bearer: true },
];

/** The endpoint's preflight and actual requests from each kind of origin, sent once per worker:
 *  they change nothing, and every requirement of the endpoint reads them. */
const probed = new Map<string, Promise<c.Probe[]>>();
function probes(t: Target, run: RunContext, session: WorkerSession): Promise<c.Probe[]> {
  let p = probed.get(t.name);
  if (!p) probed.set(t.name, (p = probe(t, run, session)));
  return p;
}

async function probe(t: Target, run: RunContext, session: WorkerSession): Promise<c.Probe[]> {
  const { meta } = await run.discovery();
  const base = t.metadata ? endpoint(meta, t.metadata) : discoveryUrl(run.issuer);
  if (!base) skip(`the provider advertises no ${t.metadata}`);
  const url = new URL(base);
  for (const [k, v] of Object.entries(t.query ?? {})) url.searchParams.set(k, v);
  const origins = c.probeOrigins(run.profile.provider, run.profile.clients);
  const kinds: Array<[c.OriginKind, string | undefined]> = [['allowed', origins.allowed], ['disallowed', origins.disallowed], ['http', origins.http], ['none', undefined]];
  // The access token of a flow no state-changing check touches (a code.exchange failure blocks this).
  const headers = t.bearer ? { ...t.headers, authorization: `Bearer ${(await session.sharedFlow(tokenClient)).tokens.access_token}` } : t.headers;
  const out: c.Probe[] = [];
  const needed = Object.keys(headers);
  for (const [originKind, origin] of kinds) {
    const withOrigin: Record<string, string> = origin ? { origin } : {};
    const preflight = await send({
      method: 'OPTIONS',
      url,
      headers: { ...withOrigin, 'access-control-request-method': t.method, ...(needed.length ? { 'access-control-request-headers': needed.join(', ') } : {}) },
    });
    out.push({ kind: 'preflight', originKind, origin, method: t.method, headers: needed, response: preflight });
    const actual = await send({ method: t.method, url, headers: { ...withOrigin, ...headers }, ...(t.body !== undefined ? { body: t.body } : {}) });
    out.push({ kind: 'actual', originKind, origin, method: t.method, headers: needed, response: actual });
  }
  return out;
}

for (const t of TARGETS) {
  describe(t.name, () => {
    for (const requirement of Object.keys(c.CORS_REQUIREMENTS) as c.CorsRequirement[]) {
      check(suite, c.corsCheck(t.name, requirement), async ({ run, session }) => {
        const basis = { provider: run.profile.provider, clients: run.profile.clients, ...(run.profile.behaviour ? { behaviour: run.profile.behaviour } : {}) };
        const rows = c.checkCorsRequirement(t.name, requirement, await probes(t, run, session), basis);
        return [{ label: `CORS matrix for ${t.name}`, data: rows }];
      });
    }
  });
}
