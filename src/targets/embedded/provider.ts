// The embedded reference provider: panva's oidc-provider, in-process on loopback, configured from
// the target's resolved model (an Authelia-style configuration.yml). Where oidc-provider's defaults
// differ from what the configuration means, it is bent to honour the configuration, so that the
// reference passes every check it should; `faults` bend it the other way for the harness's own tests.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { ClientMetadata, Configuration } from 'oidc-provider';
import * as jose from 'jose';
import type { ClientSpec, TargetProfile, TestUser } from '../../model/target.ts';
import type { StartedTarget } from '../types.ts';
import { SCOPE_CLAIMS } from '../../model/scopes.ts';
import type { Fault } from './faults.ts';
import { consentPage, errorPage, loginPage, otpPage } from './pages.ts';
import { totp } from '../../browser/totp.ts';
import { installFaults } from './fault-wrapper.ts';
import { jsonRewrite, rewriteBody } from './rewrite.ts';
import { corsAnswerer } from './cors.ts';
import { cookieSigner } from './cookie-keys.ts';
import { ROUTES } from './routes.ts';

export { ROUTES };

export interface EmbeddedOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Listen address; loopback by default, 0.0.0.0 inside a container. The issuer stays
   *  http://127.0.0.1:<port>, the address the host reaches through the 1:1 port binding. */
  host?: string;
  faults?: readonly Fault[];
}

function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Opaque, stable per-user subject in UUID form, as Authelia 4.38+ issues. */
function subjectOf(username: string): string {
  return uuidOf(`embedded-subject:${username}`);
}

function clientMetadata(c: ClientSpec, faults: ReadonlySet<Fault>): ClientMetadata {
  return {
    client_id: c.id,
    client_name: c.name,
    ...(c.public ? {} : { client_secret: c.secret }),
    redirect_uris: c.redirectUris,
    grant_types: faults.has('refresh-grant-not-restricted') ? [...new Set([...c.grantTypes, 'refresh_token'])] : c.grantTypes,
    response_types: c.responseTypes as ClientMetadata['response_types'],
    token_endpoint_auth_method: c.public ? 'none' : c.tokenEndpointAuthMethod,
    id_token_signed_response_alg: c.idTokenSignedResponseAlg as ClientMetadata['id_token_signed_response_alg'],
    ...(faults.has('scope-not-enforced') ? {} : { scope: c.scopes.join(' ') }),
    // Authelia's sector_identifier_uri may be a bare host; oidc-provider wants a URL.
    ...(c.sectorIdentifierUri ? { subject_type: 'pairwise', sector_identifier_uri: c.sectorIdentifierUri.includes('://') ? c.sectorIdentifierUri : `https://${c.sectorIdentifierUri}` } : {}),
    // Authelia puts auth_time in every ID token; oidc-provider only when asked.
    require_auth_time: true,
  };
}

// oidc-provider warns about Node 20 (supported here, see README) and its in-memory adapter (what a
// per-run reference provider wants); both would only be noise in every run's output. On a
// terminal it colours them (an escape sequence before the text).
const KNOWN_WARNINGS = /^(?:\x1b\[[\d;]*m)?oidc-provider WARNING: (Unsupported runtime|a quick start development-only in-memory adapter)/;

async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && KNOWN_WARNINGS.test(args[0]))) warn(...args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

const oidc = await quietly(() => import('oidc-provider'));
const { interactionPolicy } = oidc;

// oidc-provider drops offline_access unless the request says prompt=consent; Authelia keeps it.
// The request gets prompt=consent plus a marker, and the marker keeps that added prompt from
// forcing a consent page that the client's consent_mode would not show.
const OFFLINE_MARKER = 'harness_offline_access';

function keepOfflineAccess(req: http.IncomingMessage, issuer: string): void {
  const url = new URL(req.url ?? '/', issuer);
  const scope = url.searchParams.get('scope')?.split(' ') ?? [];
  if (!scope.includes('offline_access') || url.searchParams.has('prompt')) return;
  url.searchParams.set('prompt', 'consent');
  url.searchParams.set(OFFLINE_MARKER, '1');
  req.url = `${url.pathname}${url.search}`;
}

function interactionPolicyFor(needsSecondFactor: (clientId: string) => boolean) {
  const policy = interactionPolicy.base();
  const consent = policy.get('consent');
  const login = policy.get('login');
  if (!consent || !login) throw new Error('oidc-provider has no consent or login prompt');
  consent.checks.remove('consent_prompt');
  consent.checks.unshift(
    new interactionPolicy.Check('consent_prompt', 'consent prompt was not resolved', 'consent_required', (ctx) => {
      const oidc = ctx.oidc;
      return oidc.prompts.has('consent') && oidc.promptPending('consent') && !oidc.params?.[OFFLINE_MARKER];
    }),
  );
  // authorization_policy two_factor: a session made with one factor steps up before a code.
  login.checks.push(
    new interactionPolicy.Check('second_factor', 'the client requires a second factor', 'login_required', (ctx) => {
      const oidc = ctx.oidc;
      return Boolean(oidc.client && needsSecondFactor(oidc.client.clientId) && !oidc.session?.amr?.includes('otp'));
    }),
  );
  return policy;
}

// Authelia refuses short state and nonce values (minimum_parameter_entropy) and response modes a
// client is not allowed; oidc-provider checks neither. The error goes to the registered redirect_uri.
function refuseAuthorization(req: http.IncomingMessage, res: http.ServerResponse, issuer: string, clients: Map<string, ClientSpec>, minimum: number, faults: ReadonlySet<Fault>): boolean {
  const url = new URL(req.url ?? '/', issuer);
  const client = clients.get(url.searchParams.get('client_id') ?? '');
  const redirect = url.searchParams.get('redirect_uri');
  if (!client || !redirect || !client.redirectUris.includes(redirect)) return false;
  const mode = url.searchParams.get('response_mode');
  const state = url.searchParams.get('state');
  const nonce = url.searchParams.get('nonce');
  let error: [string, string] | undefined;
  if (mode && !client.responseModes.includes(mode) && !faults.has('response-mode-not-enforced')) error = ['invalid_request', `response_mode ${mode} is not allowed for this client`];
  else if (!faults.has('entropy-not-enforced') && state !== null && state.length < minimum) error = ['invalid_state', `state must have at least ${minimum} characters`];
  else if (!faults.has('entropy-not-enforced') && nonce !== null && nonce.length < minimum) error = ['invalid_request', `nonce must have at least ${minimum} characters`];
  if (!error) return false;
  const to = new URL(redirect);
  to.searchParams.set('error', error[0]);
  to.searchParams.set('error_description', error[1]);
  if (state !== null) to.searchParams.set('state', state);
  to.searchParams.set('iss', issuer);
  req.resume();
  res.writeHead(303, { location: to.href });
  res.end();
  return true;
}

// RFC 6749 §5.2: a grant type the client may not use is unauthorized_client (oidc-provider says
// invalid_request).
function unauthorizedClient(json: Record<string, unknown>): void {
  if (json.error === 'invalid_request' && json.error_description === 'requested grant type is not allowed for this client') json.error = 'unauthorized_client';
}

interface PolicyContext {
  clients: Map<string, ClientSpec>;
  bySubject: Map<string, TestUser>;
  privateKey: CryptoKey;
}

const SCOPE_OF_CLAIM = new Map(Object.entries(SCOPE_CLAIMS).flatMap(([scope, claims]) => claims.map((c) => [c, scope] as const)));

// Authelia 4.39 claims_policies put listed claims back into the ID token; oidc-provider has no
// per-client switch for that. `scope` is the access token's (the token response's) granted scope.
// True when a claim was added to `claims`.
function addPolicyClaims(scope: string, claims: jose.JWTPayload, p: PolicyContext): boolean {
  const client = p.clients.get(String(claims.azp ?? (Array.isArray(claims.aud) ? claims.aud[0] : claims.aud)));
  const user = typeof claims.sub === 'string' ? p.bySubject.get(claims.sub) : undefined;
  if (!client?.idTokenClaims.length || !user) return false;
  const granted = new Set(scope.split(' '));
  let added = false;
  for (const claim of client.idTokenClaims) {
    const scopeOfClaim = SCOPE_OF_CLAIM.get(claim);
    if (scopeOfClaim && granted.has(scopeOfClaim) && claim in user.claims && !(claim in claims)) {
      claims[claim] = user.claims[claim];
      added = true;
    }
  }
  return added;
}

/** OIDC Core §3.1.3.6 at_hash of `accessToken` for an ID token signed with `alg`. */
function atHashOf(accessToken: string, alg: string): string {
  const digest = createHash(alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256').update(accessToken, 'ascii').digest();
  return jose.base64url.encode(digest.subarray(0, digest.length / 2));
}

/** Authelia (fosite) puts at_hash into the ID token of the token endpoint, and its claims_policies'
 *  claims (addPolicyClaims); oidc-provider does neither. Both are added to the ID token's claims
 *  before oidc-provider signs it, so each token is signed once (an RS256 signature is about 1.3 ms
 *  of CPU, for every code and refresh grant of a run). at_hash is given the access token's value,
 *  which IdToken.issue hashes for the ID token's alg as it does for implicit responses: for an
 *  opaque access token that value is its jti (oidc-provider's formats/opaque.js). */
function completeBeforeSigning(provider: Provider, p: PolicyContext): void {
  const proto = provider.IdToken.prototype;
  const { issue, payload } = proto;
  const fromTokenEndpoint = new WeakSet<object>();
  proto.issue = function (this: InstanceType<Provider['IdToken']>, options) {
    if (options.use === 'idtoken' && this.ctx?.oidc.route === 'token') fromTokenEndpoint.add(this);
    return issue.call(this, options);
  };
  proto.payload = async function (this: InstanceType<Provider['IdToken']>) {
    const claims = (await payload.call(this)) as jose.JWTPayload;
    if (!fromTokenEndpoint.has(this)) return claims;
    const at = this.ctx.oidc.entities.AccessToken;
    addPolicyClaims(at?.scope ?? '', claims, p);
    if (at?.jti && claims.at_hash === undefined) claims.at_hash = at.jti;
    return claims;
  };
}

/** The check of what completeBeforeSigning did, on the token response itself: where the ID token
 *  still lacks a policy claim, or its at_hash is not that of the access token the response carries
 *  (an access token whose value is not its jti), it is completed and re-signed under the same
 *  header (alg, kid, typ) and key. */
async function completeIdToken(json: Record<string, unknown>, p: PolicyContext): Promise<void> {
  if (typeof json.id_token !== 'string') return;
  const claims = jose.decodeJwt(json.id_token);
  const header = jose.decodeProtectedHeader(json.id_token);
  const alg = header.alg ?? 'RS256';
  // Both, not either: each may add what the other does not.
  const policy = addPolicyClaims(String(json.scope ?? ''), claims, p);
  let atHash = false;
  if (typeof json.access_token === 'string') {
    const expected = atHashOf(json.access_token, alg);
    atHash = claims.at_hash !== expected;
    claims.at_hash = expected;
  }
  if (!policy && !atHash) return;
  json.id_token = await new jose.SignJWT(claims).setProtectedHeader({ alg, ...(header.kid ? { kid: header.kid } : {}), ...(header.typ ? { typ: header.typ } : {}) }).sign(p.privateKey);
}

/** Pre-configured consents match only the exact same scope set. */
function scopeKey(scope: string): string {
  return [...new Set(scope.split(' ').filter(Boolean))].sort().join(' ');
}

export interface LoginContext {
  remembered: Map<string, { scope: string; until: number }>;
  pendingSecondFactor: Map<string, TestUser>;
  bySubject: Map<string, TestUser>;
  faults: ReadonlySet<Fault>;
  provider: Provider;
  users: Map<string, TestUser>;
  clients: Map<string, ClientSpec>;
}

export async function startEmbedded(profile: TargetProfile, options: EmbeddedOptions = {}): Promise<StartedTarget> {
  const faults = new Set(options.faults ?? []);
  // Listening comes first (the issuer names the port); a request that arrives before the provider
  // is built gets a 503 instead of a connection nobody answers.
  let handle: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (handle) return handle(req, res);
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('the provider is starting');
  });
  // Every connection, from the first, is ended by stop() (close() alone waits for keep-alive ones).
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const users = new Map(profile.users.map((u) => [u.username, u]));
  const remembered: LoginContext['remembered'] = new Map();
  const bySubject = new Map(profile.users.map((u) => [subjectOf(u.username), u]));
  const clients = new Map(profile.clients.map((c) => [c.id, c]));
  const { lifespans, customLifespans } = profile.provider;
  const lifespanOf = (clientId: string | undefined, key: keyof typeof lifespans): number => {
    if (faults.has('lifespans-ignored')) return 7200;
    const name = clientId ? clients.get(clientId)?.lifespan : undefined;
    return (name ? customLifespans[name]?.[key] : undefined) ?? lifespans[key];
  };

  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    clients: profile.clients.map((c) => clientMetadata(c, faults)),
    jwks: { keys: [signingJwk] },
    cookies: { keys: cookieSigner(randomBytes(32)) },
    routes: ROUTES,
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS)],
    claims: { openid: ['sub'], ...Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([k, v]) => [k, [...v]])) },
    // 4.39+ and OIDC Core put scope claims in userinfo only; the legacy table put them in the ID token.
    conformIdTokenClaims: profile.claimsProfile !== 'authelia-legacy' && !faults.has('claims-in-id-token'),
    responseTypes: ['code', 'id_token', 'code id_token', 'none'],
    subjectTypes: ['public', 'pairwise'],
    // Authelia never fetches the sector identifier; it only names the sector.
    sectorIdentifierUriValidate: () => false,
    async pairwiseIdentifier(_ctx, accountId, client) {
      if (faults.has('pairwise-ignored')) return accountId;
      const id = uuidOf(`pairwise:${client.sectorIdentifier ?? ''}:${accountId}`);
      const user = bySubject.get(accountId);
      if (user) bySubject.set(id, user);
      return id;
    },
    features: {
      devInteractions: { enabled: false },
      // Any authenticated client may introspect, as with Authelia.
      introspection: { enabled: true, allowedPolicy: async () => true },
      // RFC 7009 §2.1: only the client a token was issued to may revoke it.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: { enabled: false },
    },
    // CORS is answered by cors.ts from the configuration; oidc-provider must not refuse origins.
    clientBasedCORS: () => true,
    async findAccount(_ctx, sub) {
      const user = bySubject.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ ...user.claims, sub }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: interactionPolicyFor((id) => !faults.has('second-factor-skipped') && clients.get(id)?.authorizationPolicy === 'two_factor') },
    extraParams: [OFFLINE_MARKER],
    pkce: {
      required(_ctx, client) {
        if (faults.has('pkce-not-required')) return false;
        const spec = clients.get(client.clientId);
        if (spec?.requirePkce) return true;
        switch (profile.provider.enforcePkce) {
          case 'always': return true;
          case 'never': return false;
          default: return client.clientAuthMethod === 'none';
        }
      },
    },
    ttl: {
      AccessToken: (ctx) => lifespanOf(ctx.oidc.client?.clientId, 'accessToken'),
      AuthorizationCode: (ctx) => lifespanOf(ctx.oidc.client?.clientId, 'authorizeCode'),
      IdToken: (ctx) => lifespanOf(ctx.oidc.client?.clientId, 'idToken'),
      RefreshToken: (ctx) => lifespanOf(ctx.oidc.client?.clientId, 'refreshToken'),
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    // Authelia issues a refresh token when offline_access is granted to a client allowed the grant,
    // whatever the prompt; oidc-provider would also want prompt=consent in some cases.
    async issueRefreshToken(_ctx, client, code) {
      if (faults.has('refresh-for-all')) return true;
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
    },
    // Authelia's tokens live their configured lifespan; oidc-provider would end them with the
    // login session's current grant for the client (so a second login of the client killed them).
    expiresWithSession: async () => false,
    // Authelia's refresh tokens are single use and always rotate (oidc-provider rotates public clients' only).
    rotateRefreshToken: () => !faults.has('refresh-no-rotation'),
    async loadExistingGrant(ctx) {
      const oidc = ctx.oidc;
      const clientId = oidc.client?.clientId;
      const accountId = oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const justGranted = oidc.result?.consent?.grantId;
      if (justGranted) return oidc.provider.Grant.find(justGranted);
      // implicit: never ask; explicit and auto: ask on every authorization, as Authelia does.
      const mode = clients.get(clientId)?.consentMode;
      const kept = remembered.get(`${accountId}|${clientId}`);
      const rememberedNow = mode === 'pre-configured' && kept !== undefined && kept.until > Date.now() && kept.scope === scopeKey(String(oidc.params?.scope ?? ''));
      if (mode !== 'implicit' && !rememberedNow && !faults.has('consent-skipped')) return undefined;
      const grant = new oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope(String(oidc.params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage({ ...out });
    },
  };

  const provider = await quietly(() => new oidc.default(issuer, configuration));
  const policyCtx: PolicyContext = { clients, bySubject, privateKey };
  completeBeforeSigning(provider, policyCtx);
  provider.on('server_error', (_ctx: unknown, err: Error) => process.stderr.write(`embedded provider: ${err.message}\n`));

  // oidc-provider treats client_secret_basic and client_secret_post as one method; Authelia
  // accepts only the configured one. Which one a request used is known from its header.
  const current = new AsyncLocalStorage<RequestState>();
  const clientProto = provider.Client.prototype as unknown as {
    compareClientSecret(this: { clientAuthMethod: string }, actual: string): Promise<boolean>;
  };
  const compare = clientProto.compareClientSecret;
  clientProto.compareClientSecret = async function (actual: string) {
    const req = current.getStore()?.req;
    const used = req?.headers.authorization ? 'client_secret_basic' : 'client_secret_post';
    // 'auth-both-methods-accepted' took the header away: the request carried both, either counts.
    const both = current.getStore()?.bothMethods === true;
    if (!faults.has('auth-method-not-enforced') && !both && used !== this.clientAuthMethod) return false;
    return compare.call(this, actual);
  };

  if (faults.has('redirect-uri-prefix-match') || faults.has('redirect-uri-case-insensitive')) {
    const proto = provider.Client.prototype as unknown as { redirectUris: string[]; redirectUriAllowed(this: { redirectUris: string[] }, value: string): boolean };
    proto.redirectUriAllowed = function (value: string) {
      return this.redirectUris.some((r) => (faults.has('redirect-uri-prefix-match') ? value.startsWith(r.replace(/\/$/, '')) : value.toLowerCase() === r.toLowerCase()));
    };
  }

  let authorizations = 0;
  const ctx: LoginContext = { remembered, pendingSecondFactor: new Map(), bySubject, faults, provider, users, clients };
  const callback = provider.callback();
  const cors = corsAnswerer(profile.provider, profile.clients, faults);
  // What follows the fault hook for every request oidc-provider answers; a fault that holds a
  // request back (to read its body first) hands it on through this.
  const proceed = (req: http.IncomingMessage, res: http.ServerResponse, path: string): void => {
    // Installed after the faults, so they rewrite first and a fault sees the honoured response.
    if (path === ROUTES.token) {
      rewriteBody(res, jsonRewrite(unauthorizedClient));
      rewriteBody(res, jsonRewrite((json) => completeIdToken(json, policyCtx)));
    }
    callback(req, res);
  };
  const wrap = installFaults({ faults, provider, issuer, privateKey, current, registered: new Set(profile.clients.flatMap((c) => c.redirectUris)), proceed });
  handle = (req, res) => {
    current.run({ req }, () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path.startsWith('/interaction/')) {
        interaction(ctx, req, res, path).catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`interaction failed: ${err instanceof Error ? err.message : String(err)}`);
        });
        return;
      }
      if (path === ROUTES.authorization) authorizations++;
      if (path === ROUTES.authorization && req.method === 'GET') {
        if (refuseAuthorization(req, res, issuer, clients, profile.provider.minimumParameterEntropy, faults)) return;
        keepOfflineAccess(req, issuer);
      }
      if (cors(req, res, path)) return;
      if (wrap(req, res, path)) return;
      proceed(req, res, path);
    });
  };

  return {
    name: profile.name,
    issuer,
    notes: [`embedded oidc-provider at ${issuer}`, ...(faults.size ? [`faults: ${[...faults].join(', ')}`] : [])],
    authorizations: () => authorizations,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RequestState {
  req: http.IncomingMessage;
  /** The code of a token request, set by the provider's grant events. */
  code?: string;
  /** Set by the 'auth-both-methods-accepted' fault: the request carried the Basic header and client_secret in the body. */
  bothMethods?: boolean;
  /** Set for a refresh_token grant, by the provider's grant event (the 'refresh-response-malformed' fault). */
  refresh?: boolean;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function interaction(ctx: LoginContext, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
  const { provider } = ctx;
  const [, , uid, action] = path.split('/');
  const details = await provider.interactionDetails(req, res);
  if (!uid || details.uid !== uid) return send(res, 400, errorPage({ error: 'invalid_request', error_description: 'unknown interaction' }));
  const clientId = String(details.params.client_id);
  const client = ctx.clients.get(clientId);
  const clientName = client?.name ?? clientId;

  const twoFactor = client?.authorizationPolicy === 'two_factor' && !ctx.faults.has('second-factor-skipped');
  if (req.method === 'GET' && !action) {
    // A session made with one factor only needs the second one.
    if (details.prompt.name === 'login' && details.prompt.reasons.includes('second_factor') && details.session?.accountId) return send(res, 200, otpPage(uid, clientName));
    if (details.prompt.name === 'login') return send(res, 200, loginPage(uid, clientName));
    return send(res, 200, consentPage(uid, clientName, String(details.params.scope ?? '').split(' ').filter(Boolean), client?.consentMode === 'pre-configured'));
  }
  if (req.method !== 'POST') return send(res, 405, errorPage({ error: 'method not allowed' }));

  if (action === 'login') {
    const form = await readForm(req);
    const user = ctx.users.get(form.get('username') ?? '');
    if (!user || user.password !== form.get('password')) {
      return send(res, 200, loginPage(uid, clientName, 'Incorrect username or password.'));
    }
    if (twoFactor) {
      ctx.pendingSecondFactor.set(uid, user);
      return send(res, 200, otpPage(uid, clientName));
    }
    await provider.interactionFinished(req, res, { login: { accountId: subjectOf(user.username), amr: ['pwd'] } }, { mergeWithLastSubmission: false });
    return;
  }
  if (action === 'otp') {
    const form = await readForm(req);
    const user = ctx.pendingSecondFactor.get(uid) ?? ctx.bySubject.get(details.session?.accountId ?? '');
    if (!user?.totpSecret) return send(res, 400, errorPage({ error: 'access_denied', error_description: 'no second factor is registered for this user' }));
    const now = Date.now();
    const ok = [-30_000, 0, 30_000].some((d) => totp(user.totpSecret!, now + d) === form.get('otp'));
    if (!ok) return send(res, 200, otpPage(uid, clientName, 'Incorrect one-time password.'));
    ctx.pendingSecondFactor.delete(uid);
    await provider.interactionFinished(req, res, { login: { accountId: subjectOf(user.username), amr: ['pwd', 'otp', 'mfa'] } }, { mergeWithLastSubmission: false });
    return;
  }
  if (action === 'confirm' || (action === 'abort' && ctx.faults.has('consent-deny-ignored'))) {
    const accountId = details.session?.accountId;
    if (!accountId) return send(res, 400, errorPage({ error: 'no session' }));
    // One grant per authorization, as Authelia keeps one consent session per request: revoking
    // (or reusing the code of) one flow must not take down the tokens of another.
    const grant = new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (client?.consentMode === 'pre-configured' && action === 'confirm') {
      const form = await readForm(req);
      if (form.get('remember') && !ctx.faults.has('consent-not-remembered')) {
        ctx.remembered.set(`${accountId}|${clientId}`, { scope: scopeKey(String(details.params.scope ?? '')), until: Date.now() + (client.preConfiguredConsentDuration ?? 604800) * 1000 });
      }
    }
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (action === 'abort') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User denied the request' }, { mergeWithLastSubmission: false });
    return;
  }
  send(res, 404, errorPage({ error: 'not found' }));
}

