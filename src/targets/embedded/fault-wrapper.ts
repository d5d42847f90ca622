// Applies fault switches by rewriting what the reference provider sends, so that each check can be
// shown to fail on a real HTTP exchange with a wrong provider behaviour.

import type http from 'node:http';
import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import * as jose from 'jose';
import type { Fault } from './faults.ts';
import { ROUTES } from './routes.ts';
import type { RequestState } from './provider.ts';
import { dropHeader, jsonRewrite, rewriteBody } from './rewrite.ts';

export interface FaultContext {
  faults: ReadonlySet<Fault>;
  provider: Provider;
  issuer: string;
  privateKey: CryptoKey;
  current: AsyncLocalStorage<RequestState>;
  /** Every client's registered redirect URIs. */
  registered: ReadonlySet<string>;
  /** Hands a request the hook held back on to the provider, as if the hook had returned false. */
  proceed: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => void;
}

const ID_TOKEN_FAULTS: Fault[] = [
  'id-token-bad-signature', 'id-token-no-kid', 'id-token-wrong-aud', 'id-token-wrong-iss', 'id-token-expired',
  'id-token-wrong-nonce', 'id-token-iat-future', 'id-token-bad-at-hash', 'id-token-no-at-hash', 'id-token-auth-time-zero', 'sub-per-login',
  'updated-at-as-string', 'id-token-typ', 'id-token-crit', 'id-token-cty',
];

/** The unknown extension 'id-token-crit' marks critical. */
const UNKNOWN_CRIT = 'urn:example:harness-critical';

/** `staleNonce`: the nonce an earlier authorization of the same session sent ('id-token-stale-nonce'). */
async function tamperIdToken(idToken: string, f: FaultContext, granted: string[], staleNonce?: string): Promise<string> {
  const header = jose.decodeProtectedHeader(idToken);
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  const has = (x: Fault) => f.faults.has(x);
  if (has('id-token-wrong-aud')) claims.aud = 'someone-else';
  if (has('id-token-wrong-iss')) claims.iss = `${f.issuer}/other`;
  if (has('id-token-expired')) Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (has('id-token-wrong-nonce')) claims.nonce = `tampered-${String(claims.nonce)}`;
  if (has('id-token-iat-future')) claims.iat = now + 86400;
  if (has('id-token-bad-at-hash')) claims.at_hash = jose.base64url.encode(randomBytes(16));
  if (has('id-token-no-at-hash')) delete claims.at_hash;
  if (has('id-token-auth-time-zero')) claims.auth_time = 0;
  if (has('sub-per-login')) claims.sub = `${String(claims.sub)}-${randomBytes(4).toString('hex')}`;
  // Only with scope profile (its claim), so no other claims check fails for it.
  if (has('updated-at-as-string') && granted.includes('profile')) claims.updated_at = new Date(now * 1000).toISOString();
  if (staleNonce !== undefined) claims.nonce = staleNonce;
  const protectedHeader: jose.JWTHeaderParameters = { alg: header.alg ?? 'RS256', typ: has('id-token-typ') ? 'ID+JWT' : header.typ };
  if (!has('id-token-no-kid') && header.kid) protectedHeader.kid = header.kid;
  if (has('id-token-cty')) protectedHeader.cty = 'JWT';
  if (has('id-token-crit')) Object.assign(protectedHeader, { crit: [UNKNOWN_CRIT], [UNKNOWN_CRIT]: true });
  const key = has('id-token-bad-signature') ? (await jose.generateKeyPair('RS256')).privateKey : f.privateKey;
  return new jose.SignJWT(claims).setProtectedHeader(protectedHeader).sign(key, has('id-token-crit') ? { crit: { [UNKNOWN_CRIT]: true } } : undefined);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Returns a request hook: true when the hook answered the request itself. */
export function installFaults(f: FaultContext): (req: http.IncomingMessage, res: http.ServerResponse, path: string) => boolean {
  const { faults } = f;
  if (faults.size === 0) return () => false;
  const has = (x: Fault) => faults.has(x);

  const firstTokenResponse = new Map<string, string>();
  let inFlight = 0;
  const noteCode = (ctx: { oidc?: { params?: Record<string, unknown> } }) => {
    const state = f.current.getStore();
    const code = ctx.oidc?.params?.code;
    if (state && typeof code === 'string') state.code = code;
  };
  if (has('refresh-response-malformed')) {
    f.provider.on('grant.success', (ctx: { oidc?: { params?: Record<string, unknown> } }) => {
      const state = f.current.getStore();
      if (state && ctx.oidc?.params?.grant_type === 'refresh_token') state.refresh = true;
    });
  }
  if (has('code-reuse-accepted') || has('id-token-stale-nonce')) {
    f.provider.on('grant.success', noteCode);
    f.provider.on('grant.error', noteCode);
  }

  // Session reuse: what the previous authorization of the same login session and client sent.
  // The response object of 'authorization.success' is what the redirect is built from.
  const previous = new Map<string, { nonce?: string; state?: string }>();
  const staleNonceOfCode = new Map<string, string>();
  if (has('id-token-stale-nonce') || has('authorization-stale-state') || has('authorization-iss-dropped-on-reuse')) {
    f.provider.on('authorization.success', (ctx, out) => {
      const session = ctx.oidc.session;
      const clientId = ctx.oidc.client?.clientId;
      if (!session || !clientId || !out) return;
      const key = `${session.uid}|${clientId}`;
      const before = previous.get(key);
      const params = ctx.oidc.params ?? {};
      previous.set(key, { ...(typeof params.nonce === 'string' ? { nonce: params.nonce } : {}), ...(typeof params.state === 'string' ? { state: params.state } : {}) });
      if (!before) return;
      if (has('id-token-stale-nonce') && typeof out.code === 'string' && before.nonce !== undefined) staleNonceOfCode.set(out.code, before.nonce);
      if (has('authorization-stale-state') && out.state !== undefined && before.state !== undefined) out.state = before.state;
      if (has('authorization-iss-dropped-on-reuse')) delete out.iss;
    });
  }

  return (req, res, path) => {
    if (path === '/.well-known/openid-configuration') {
      if (has('discovery-not-json')) rewriteBody(res, async (body) => body.slice(0, -1));
      rewriteBody(res, jsonRewrite((d) => {
        if (has('discovery-wrong-issuer')) d.issuer = `${f.issuer}/other`;
        if (has('discovery-no-jwks-uri')) delete d.jwks_uri;
        if (has('discovery-omits-token-endpoints')) {
          delete d.introspection_endpoint;
          delete d.revocation_endpoint;
        }
        if (has('discovery-advertises-plain')) d.code_challenge_methods_supported = ['S256', 'plain'];
      }));
    }
    if (path === ROUTES.authorization && has('redirect-uri-error-redirect')) {
      const url = new URL(req.url ?? '/', f.issuer);
      const uri = url.searchParams.get('redirect_uri');
      if (uri && !f.registered.has(uri)) {
        req.resume();
        res.writeHead(303, { location: `${uri}?error=invalid_request&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}` });
        res.end();
        return true;
      }
    }
    if (path === ROUTES.authorization && (has('redirect-uri-interstitial') || has('redirect-uri-error-form-post'))) {
      const url = new URL(req.url ?? '/', f.issuer);
      const uri = url.searchParams.get('redirect_uri');
      if (uri && !f.registered.has(uri)) {
        const state = escapeHtml(url.searchParams.get('state') ?? '');
        req.resume();
        if (has('redirect-uri-error-form-post')) {
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
          res.end(`<!DOCTYPE html><html><head><title>Submitting Callback</title><script>document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });</script></head><body><form method="post" action="${escapeHtml(uri)}"><input type="hidden" name="error" value="invalid_request"/><input type="hidden" name="state" value="${state}"/></form></body></html>`);
        } else {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(`<!DOCTYPE html><html><head><title>Continue</title></head><body><h1>Almost there</h1><p><a href="${escapeHtml(uri)}">Continue to the application</a></p></body></html>`);
        }
        return true;
      }
    }
    if (path === ROUTES.authorization && has('authorization-temporarily-unavailable')) {
      const url = new URL(req.url ?? '/', f.issuer);
      const uri = url.searchParams.get('redirect_uri');
      if (uri && f.registered.has(uri)) {
        const to = new URL(uri);
        to.searchParams.set('error', 'temporarily_unavailable');
        if (url.searchParams.has('state')) to.searchParams.set('state', url.searchParams.get('state')!);
        to.searchParams.set('iss', f.issuer);
        req.resume();
        res.writeHead(303, { location: to.href });
        res.end();
        return true;
      }
    }
    if (path.startsWith(ROUTES.authorization) && has('authorization-drops-state')) {
      dropHeader(res, 'location', (value) => {
        const url = new URL(value, f.issuer);
        if (!url.searchParams.has('state') || url.origin === f.issuer) return value;
        url.searchParams.delete('state');
        return url.href;
      });
    }
    if (path === ROUTES.token && has('server-error-under-load')) {
      // A database that cannot take concurrent writers: the third request at once fails.
      inFlight++;
      res.once('close', () => inFlight--);
      if (inFlight > 2) {
        req.resume();
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('database is locked');
        return true;
      }
    }
    if (path === ROUTES.token && has('token-server-error')) {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
      return true;
    }
    if (path === ROUTES.token) {
      rewriteBody(res, async (body, r) => {
        const state = f.current.getStore();
        if (has('code-reuse-accepted') && state?.code) {
          const first = firstTokenResponse.get(state.code);
          if (r.statusCode === 200) firstTokenResponse.set(state.code, body);
          else if (first) {
            r.statusCode = 200;
            return first;
          }
        }
        const staleNonce = state?.code ? staleNonceOfCode.get(state.code) : undefined;
        return jsonRewrite(async (json) => {
          if (has('refresh-never-issued')) delete json.refresh_token;
          if (has('refresh-response-malformed') && state?.refresh) delete json.token_type;
          if (typeof json.id_token === 'string' && (ID_TOKEN_FAULTS.some(has) || staleNonce !== undefined)) json.id_token = await tamperIdToken(json.id_token, f, String(json.scope ?? '').split(' '), staleNonce);
          if (has('token-scope-overstated') && typeof json.scope === 'string') json.scope = 'openid offline_access profile email groups address phone';
        })(body, r);
      });
    }
    if (path === ROUTES.userinfo) {
      if (has('userinfo-post-refused') && req.method === 'POST') {
        req.resume();
        res.writeHead(405, { allow: 'GET' });
        res.end();
        return true;
      }
      if (has('userinfo-no-www-authenticate')) dropHeader(res, 'www-authenticate', () => undefined);
      if (has('userinfo-wrong-sub')) rewriteBody(res, jsonRewrite((u) => { if (u.sub) u.sub = `${String(u.sub)}-other`; }));
      if (has('userinfo-drops-groups')) rewriteBody(res, jsonRewrite((u) => { delete u.groups; }));
      if (has('email-verified-as-string')) rewriteBody(res, jsonRewrite((u) => { if ('email_verified' in u) u.email_verified = String(u.email_verified); }));
      if (has('groups-as-string')) rewriteBody(res, jsonRewrite((u) => { if (Array.isArray(u.groups)) u.groups = u.groups.join(','); }));
      if (has('claims-leak')) rewriteBody(res, jsonRewrite((u) => { if (u.sub && !('email' in u)) u.email = 'leaked@example.com'; }));
    }
    if (path === ROUTES.introspection && has('introspection-unavailable')) {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'temporarily_unavailable' }));
      return true;
    }
    if (path === ROUTES.introspection && has('introspection-anonymous')) rewriteBody(res, jsonRewrite((j) => { delete j.client_id; delete j.sub; }));
    if (path === ROUTES.introspection && has('introspection-no-client-auth') && !req.headers.authorization) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ active: true }));
      return true;
    }
    const clientAuthenticated = path === ROUTES.token || path === ROUTES.introspection || path === ROUTES.revocation;
    if (clientAuthenticated && has('token-errors-text-plain')) {
      // The JSON body stays; only its media type is wrong, as with the providers that broke Go's oauth2.
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
      res.writeHead = ((...args: unknown[]) => {
        const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
        if (status >= 400 && !res.headersSent) res.setHeader('content-type', 'text/plain; charset=utf-8');
        return writeHead(...args);
      }) as typeof res.writeHead;
    }
    if (clientAuthenticated && has('token-errors-no-www-authenticate')) dropHeader(res, 'www-authenticate', () => undefined);
    if (clientAuthenticated && has('basic-credentials-not-decoded') && /^basic /i.test(req.headers.authorization ?? '')) {
      // The credentials as sent, never decoded: an encoded character no longer matches the secret.
      const raw = Buffer.from((req.headers.authorization ?? '').slice(6).trim(), 'base64').toString('utf8');
      if (/%[0-9A-Fa-f]{2}|\+/.test(raw)) {
        req.resume();
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
        res.end(JSON.stringify({ error: 'invalid_client', error_description: 'client authentication failed' }));
        return true;
      }
    }
    if (path === ROUTES.token && has('auth-both-methods-accepted') && req.method === 'POST' && req.headers.authorization) {
      acceptBothMethods(req, res, path, f);
      return true;
    }
    if (path === ROUTES.revocation && has('revocation-answers-204')) {
      // The revocation happens; only the answer's status is other than RFC 7009 says.
      const writeHead = res.writeHead.bind(res);
      res.writeHead = ((status: number, ...rest: unknown[]) => (status === 200 ? writeHead(204, ...(rest as [])) : writeHead(status, ...(rest as [])))) as typeof res.writeHead;
    }
    if (path === ROUTES.revocation && has('revocation-noop')) {
      req.resume();
      res.writeHead(200);
      res.end();
      return true;
    }
    return false;
  };
}

/** 'auth-both-methods-accepted': a token request with the Basic header and client_secret in the
 *  body is served as if only one had been sent (the one the client is registered for, since the
 *  provider then matches either). The body is read here and handed to oidc-provider pre-parsed. */
function acceptBothMethods(req: http.IncomingMessage, res: http.ServerResponse, path: string, f: FaultContext): void {
  // Stream events do not carry the request's async context: the state is taken now and restored.
  const state = f.current.getStore() ?? { req };
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (new URLSearchParams(body).get('client_secret')) {
      state.bothMethods = true;
      delete req.headers.authorization;
    }
    (req as http.IncomingMessage & { body?: string }).body = body;
    f.current.run(state, () => f.proceed(req, res, path));
  });
}
