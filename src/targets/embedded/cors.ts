// CORS as Authelia answers it, from the `cors` options of the configuration: discovery and JWKS
// open to any origin; authorization, token, revocation, introspection and userinfo only when listed
// in cors.endpoints, only to an allowed origin, and only when the request has an Origin.
// oidc-provider answers CORS on its own terms, so its headers are replaced when the response ends.

import type http from 'node:http';
import type { ClientSpec, ProviderSpec } from '../../model/target.ts';
import type { Fault } from './faults.ts';
import { ROUTES } from './routes.ts';
import { rewriteBody } from './rewrite.ts';

const ENDPOINTS: Record<string, string> = {
  [ROUTES.authorization]: 'authorization',
  [ROUTES.token]: 'token',
  [ROUTES.revocation]: 'revocation',
  [ROUTES.introspection]: 'introspection',
  [ROUTES.userinfo]: 'userinfo',
};
const OPEN = new Set(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', ROUTES.jwks]);
const WITH_CREDENTIALS = new Set(['token', 'userinfo', 'introspection']);
const METHODS: Record<string, string> = { authorization: 'GET, POST, OPTIONS', userinfo: 'GET, POST, OPTIONS' };

interface Answer {
  origin: string;
  credentials: boolean;
  methods: string;
}

export function corsAnswerer(provider: ProviderSpec, clients: ClientSpec[], faults: ReadonlySet<Fault>) {
  const fromRedirects = provider.cors.allowedOriginsFromClientRedirectUris
    ? clients.flatMap((c) => c.redirectUris).flatMap((u) => {
        try {
          const url = new URL(u);
          return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== 'localhost' ? [url.origin] : [];
        } catch {
          return [];
        }
      })
    : [];
  const allowed = [...provider.cors.allowedOrigins, ...fromRedirects];

  function answer(path: string, origin: string): Answer | undefined {
    if (faults.has('cors-wildcard')) return { origin: '*', credentials: false, methods: 'GET, POST, OPTIONS' };
    if (OPEN.has(path)) return { origin: '*', credentials: false, methods: 'GET, OPTIONS' };
    const endpoint = ENDPOINTS[path];
    if (!endpoint || !provider.cors.endpoints.includes(endpoint)) return undefined;
    const ok = allowed.includes('*') ? '*' : allowed.length ? (allowed.includes(origin) ? origin : undefined) : origin.startsWith('https://') ? origin : undefined;
    if (!ok) return undefined;
    return { origin: ok, credentials: ok !== '*' && WITH_CREDENTIALS.has(endpoint), methods: METHODS[endpoint] ?? 'POST, OPTIONS' };
  }

  function apply(res: http.ServerResponse, a: Answer | undefined, requestHeaders: string | undefined, preflight: boolean): void {
    for (const name of res.getHeaderNames()) if (name.startsWith('access-control-')) res.removeHeader(name);
    res.setHeader('vary', 'Origin');
    if (!a) return;
    res.setHeader('access-control-allow-origin', a.origin);
    if (a.credentials) res.setHeader('access-control-allow-credentials', 'true');
    if (preflight) {
      res.setHeader('access-control-allow-methods', a.methods);
      if (requestHeaders) res.setHeader('access-control-allow-headers', requestHeaders);
      res.setHeader('access-control-max-age', '600');
    } else {
      res.setHeader('access-control-expose-headers', 'WWW-Authenticate');
    }
  }

  /** Handles a request's CORS; true when it answered the request itself (a preflight). */
  return (req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean => {
    if (!OPEN.has(path) && !ENDPOINTS[path]) return false;
    const origin = req.headers.origin;
    const a = origin ? answer(path, origin) : undefined;
    const requested = req.headers['access-control-request-headers'];
    if (req.method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      req.resume();
      apply(res, a, typeof requested === 'string' ? requested : undefined, true);
      res.writeHead(204);
      res.end();
      return true;
    }
    rewriteBody(res, async (body, r) => {
      if (!r.headersSent) apply(r, a, undefined, false);
      return body;
    });
    return false;
  };
}
