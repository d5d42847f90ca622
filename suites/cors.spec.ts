import { check, collectProfile, skip } from './harness.ts';
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
}

// Harmless requests: each is refused (no valid token or code), which is still an answer whose
// CORS headers a browser would apply.
const TARGETS: Target[] = [
  { name: 'discovery', method: 'GET', headers: {} },
  { name: 'jwks', metadata: 'jwks_uri', method: 'GET', headers: {} },
  { name: 'authorization', metadata: 'authorization_endpoint', method: 'GET', headers: {}, query: { response_type: 'code', client_id: profile.clients[0]!.id } },
  { name: 'token', metadata: 'token_endpoint', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=not-a-code' },
  { name: 'revocation', metadata: 'revocation_endpoint', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=not-a-token' },
  { name: 'introspection', metadata: 'introspection_endpoint', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=not-a-token' },
  { name: 'userinfo', metadata: 'userinfo_endpoint', method: 'GET', headers: { authorization: 'Bearer not-a-token' } },
];

for (const t of TARGETS) {
  check(suite, c.corsCheck(t.name), async ({ run }) => {
    const { meta } = await run.discovery();
    const base = t.metadata ? endpoint(meta, t.metadata) : discoveryUrl(run.issuer);
    if (!base) skip(`the provider advertises no ${t.metadata}`);
    const url = new URL(base);
    for (const [k, v] of Object.entries(t.query ?? {})) url.searchParams.set(k, v);
    const origins = c.probeOrigins(run.profile.provider, run.profile.clients);
    const kinds: Array<[c.OriginKind, string | undefined]> = [['allowed', origins.allowed], ['disallowed', origins.disallowed], ['http', origins.http], ['none', undefined]];
    const probes: c.Probe[] = [];
    const needed = Object.keys(t.headers);
    for (const [originKind, origin] of kinds) {
      const withOrigin: Record<string, string> = origin ? { origin } : {};
      const preflight = await send({
        method: 'OPTIONS',
        url,
        headers: { ...withOrigin, 'access-control-request-method': t.method, ...(needed.length ? { 'access-control-request-headers': needed.join(', ') } : {}) },
      });
      probes.push({ kind: 'preflight', originKind, origin, method: t.method, headers: needed, response: preflight });
      const actual = await send({ method: t.method, url, headers: { ...withOrigin, ...t.headers }, ...(t.body !== undefined ? { body: t.body } : {}) });
      probes.push({ kind: 'actual', originKind, origin, method: t.method, headers: needed, response: actual });
    }
    const rows = c.checkCors(t.name, probes, run.profile.provider, run.profile.clients);
    return [{ label: `CORS matrix for ${t.name}`, data: rows }];
  });
}
