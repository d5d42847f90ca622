// A simulated relying-party application: a real web app on loopback, driven by the browser as a
// person uses it. Its home page has the login link; the callback at the client's registered
// redirect_uri (forwarded here by the relying-party listener, src/rp/server.ts) is exchanged and
// validated by openid-client (discovery or explicit endpoints, PKCE, state, nonce, the
// configured client authentication, ID token validation, userinfo); then the application's own
// model (src/rp/models/) judges what openid-client accepts and reads the identity the way the
// application does; the session page shows who is logged in, with which groups.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { fetch as undiciFetch } from 'undici';
import type { ClientSpec, TestUser, TokenEndpointAuthMethod } from '../model/target.ts';
import type { Redactor } from '../report/redact.ts';
import type { ClaimRead, EndpointUrls, Scenario } from '../scenarios/schema.ts';
import { clientAuthOf, RP_MODELS, type RpModel, type RpObservation } from './models/index.ts';
import { routeCallback } from './server.ts';

/** One HTTP exchange or browser step of a login, redacted, in the order it happened. */
export interface TranscriptEntry {
  step: string;
  request: { method: string; url: string; headers?: Record<string, string>; body?: string };
  response?: { status: number; headers?: Record<string, string>; body?: string };
}

/** Why the application refused the login, in plain words and with where the demand comes from. */
export interface Diagnosis {
  /** A model rule id, `identity.username`, `identity.groups`, or `openid-client`. */
  rule: string;
  step: string;
  /** What the application rejects or expected. */
  title: string;
  source: string;
  expected: string;
  observed: unknown;
  fix?: string;
}

export interface LoginOutcome {
  loggedIn: boolean;
  username?: string;
  groups?: string[];
  /** Where each identity claim was found. */
  readFrom?: Record<string, string>;
  diagnosis?: Diagnosis;
  transcript: TranscriptEntry[];
}

export interface AppOptions {
  scenario: Scenario;
  client: ClientSpec;
  issuer: string;
  redactor: Redactor;
  /** Whether the user logging in has groups: only then is a missing groups claim a refusal
   *  (the application would map none); a user without groups logs in with none. */
  userHasGroups?: boolean;
  /** The profile's provider's way to put a scope claim into a client's ID tokens (ProviderBehaviour). */
  idTokenClaimsFix?: { label: string; how: string };
}

export interface StartedApp {
  /** The application's home page, with the login link. */
  readonly url: string;
  /** The outcome of the login started from the home page, once the callback was handled. */
  readonly outcome: Promise<LoginOutcome>;
  /** What the application recorded so far, redacted. */
  transcript(): TranscriptEntry[];
  stop(): Promise<void>;
}

const escape = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function headersOf(h: { forEach(fn: (value: string, key: string) => void): void } | Record<string, string> | undefined): Record<string, string> {
  if (!h) return {};
  if (typeof h.forEach === 'function') {
    const out: Record<string, string> = {};
    (h as { forEach(fn: (value: string, key: string) => void): void }).forEach((value, key) => (out[key] = value));
    return out;
  }
  return { ...(h as Record<string, string>) };
}

/** The openid-client configuration for the scenario: discovery from the issuer, or the endpoint
 *  URLs an administrator typed in; every request recorded in `transcript`. */
async function configure(o: AppOptions, method: TokenEndpointAuthMethod, transcript: TranscriptEntry[]): Promise<{ config: oidc.Configuration; fetch: oidc.CustomFetch }> {
  const { scenario, client, issuer } = o;
  const model = RP_MODELS[scenario.relying_party]!;
  const auth =
    method === 'client_secret_post' ? oidc.ClientSecretPost(client.secret)
    : method === 'none' ? oidc.None()
    : model.basicEncoding ? basicAs(model.basicEncoding.encoding, client.secret ?? '')
    : oidc.ClientSecretBasic(client.secret);
  const metadata: Partial<oidc.ClientMetadata> = { client_id: client.id, ...(client.secret ? { client_secret: client.secret } : {}), id_token_signed_response_alg: client.idTokenSignedResponseAlg || 'RS256' };
  const record: oidc.CustomFetch = async (url, options) => {
    const res = await undiciFetch(url, options as Parameters<typeof undiciFetch>[1]);
    const text = await res.clone().text();
    const step = url.includes('/.well-known/') ? 'discovery' : url === server.token_endpoint ? 'token' : url === server.userinfo_endpoint ? 'userinfo' : url === server.jwks_uri ? 'jwks' : 'request';
    transcript.push({ step, request: { method: options.method ?? 'GET', url, headers: headersOf(options.headers as Record<string, string>), ...(typeof options.body === 'string' ? { body: options.body } : options.body instanceof URLSearchParams ? { body: options.body.toString() } : {}) }, response: { status: res.status, headers: headersOf(res.headers), body: text } });
    return res as unknown as Response;
  };
  let server: Partial<oidc.ServerMetadata> = {};
  let config: oidc.Configuration;
  if (scenario.discovery === 'issuer') {
    config = await oidc.discovery(new URL(issuer), client.id, metadata, auth, { execute: issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [], [oidc.customFetch]: record });
  } else {
    const fill = (u: string | undefined) => u?.replace('${ISSUER}', issuer.replace(/\/$/, ''));
    const e = scenario.discovery === 'typed' ? await typedIn(issuer) : scenario.discovery;
    config = new oidc.Configuration({ issuer: fill(e.issuer) ?? issuer, authorization_endpoint: fill(e.authorization_endpoint), token_endpoint: fill(e.token_endpoint), userinfo_endpoint: fill(e.userinfo_endpoint), jwks_uri: fill(e.jwks_uri) }, client.id, metadata, auth);
    if (issuer.startsWith('http:')) oidc.allowInsecureRequests(config);
    config[oidc.customFetch] = record;
  }
  server = config.serverMetadata();
  return { config, fetch: record };
}

/** The url crate's form_urlencoded::byte_serialize: letters, digits and *-._ as they are, space
 *  as +, every other byte percent-encoded. */
function byteSerialize(v: string): string {
  return [...Buffer.from(v, 'utf8')].map((b) => (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** client_secret_basic as the application's own library encodes it (RpModel.basicEncoding). */
function basicAs(encoding: 'form' | 'raw', secret: string): oidc.ClientAuth {
  const enc = encoding === 'form' ? byteSerialize : (v: string) => v;
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(secret)}`).toString('base64')}`);
  };
}

/** The endpoint URLs an administrator copies from the provider's discovery document into an
 *  application that has no discovery of its own. */
async function typedIn(issuer: string): Promise<EndpointUrls> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await undiciFetch(url);
  if (!res.ok) throw new Error(`the endpoint URLs to type in come from ${url}, which answered HTTP ${res.status}`);
  const m = (await res.json()) as Record<string, unknown>;
  const str = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : undefined);
  const authorization = str('authorization_endpoint');
  const token = str('token_endpoint');
  if (!authorization || !token) throw new Error(`${url} names no authorization_endpoint or token_endpoint to type in`);
  return { authorization_endpoint: authorization, token_endpoint: token, ...(str('userinfo_endpoint') ? { userinfo_endpoint: str('userinfo_endpoint')! } : {}), ...(str('jwks_uri') ? { jwks_uri: str('jwks_uri')! } : {}), ...(str('issuer') ? { issuer: str('issuer')! } : {}) };
}

function claimOf(read: ClaimRead, idToken: Record<string, unknown> | undefined, userinfo: Record<string, unknown> | undefined): { value: unknown; claim: string; where: string } | undefined {
  const names = Array.isArray(read.claim) ? read.claim : [read.claim];
  const order: Array<['ID token' | 'userinfo', Record<string, unknown> | undefined]> =
    read.from === 'id_token' ? [['ID token', idToken]] : read.from === 'userinfo' ? [['userinfo', userinfo]] : read.from === 'id_token_then_userinfo' ? [['ID token', idToken], ['userinfo', userinfo]] : [['userinfo', userinfo], ['ID token', idToken]];
  for (const claim of names) {
    for (const [where, claims] of order) {
      const value = claims?.[claim];
      if (value !== undefined && value !== null && value !== '') return { value, claim, where };
    }
  }
  return undefined;
}

const FROM_WORDS: Record<ClaimRead['from'], string> = { id_token: 'the ID token only', userinfo: 'userinfo only', id_token_then_userinfo: 'the ID token, then userinfo', userinfo_then_id_token: 'userinfo, then the ID token' };

/** A claim the application needs and did not find where it reads it; says where it was instead. */
function missingClaim(kind: 'username' | 'groups', read: ClaimRead, idToken: Record<string, unknown> | undefined, userinfo: Record<string, unknown> | undefined, probed: boolean, howFix: AppOptions['idTokenClaimsFix']): Diagnosis {
  const names = Array.isArray(read.claim) ? read.claim : [read.claim];
  const elsewhere = claimOf({ claim: read.claim, from: read.from === 'id_token' ? 'userinfo' : 'id_token' }, idToken, userinfo);
  const inIdTokenOnly = read.from === 'id_token';
  return {
    rule: `identity.${kind}`,
    step: 'identity',
    title: `the application reads the ${kind} from ${names.join(' or ')} in ${FROM_WORDS[read.from]}`,
    source: 'the scenario: identity.' + kind,
    expected: `${names.join(' or ')} in ${FROM_WORDS[read.from]}`,
    observed: elsewhere
      ? `${elsewhere.claim} only in ${elsewhere.where}${probed ? ' (asked for this diagnosis; the application does not call userinfo)' : ''}`
      : `${names.join(', ')} nowhere (ID token claims: ${Object.keys(idToken ?? {}).join(', ') || 'none'}; userinfo: ${userinfo ? Object.keys(userinfo).join(', ') : 'not called'})`,
    ...(elsewhere && inIdTokenOnly
      ? { fix: `have the provider put ${names[0]} into this client's ID tokens${howFix ? ` (${howFix.label}: ${howFix.how})` : ''}, or have the application read it from userinfo` }
      : !elsewhere
        ? { fix: `grant the scope that carries ${names[0]} to this client and request it, and give the user that attribute` }
        : {}),
  };
}

export async function startApp(o: AppOptions): Promise<StartedApp> {
  const { scenario, client, redactor } = o;
  const model = RP_MODELS[scenario.relying_party]!;
  const transcript: TranscriptEntry[] = [];
  const redirectUri = client.redirectUris.find((u) => u.startsWith('http://127.0.0.1:') || u.startsWith('http://localhost:'));
  if (!redirectUri) throw new Error(`${client.id} has no http://127.0.0.1 redirect_uri for a simulated application to answer`);
  const requestedScope = scenario.scopes.join(' ');
  /** How the application authenticates at the token endpoint. */
  const method = clientAuthOf(scenario, client);
  let pending: { state: string; nonce: string; verifier?: string } | undefined;
  let settle!: (o: LoginOutcome) => void;
  const outcome = new Promise<LoginOutcome>((resolve) => (settle = resolve));
  let config: oidc.Configuration | undefined;
  let recordingFetch: oidc.CustomFetch | undefined;
  let baseUrl = '';

  const finish = (res: http.ServerResponse, result: Omit<LoginOutcome, 'transcript'>): void => {
    const done: LoginOutcome = { ...result, transcript: redactor.value(transcript) };
    res.writeHead(result.loggedIn ? 200 : 403, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      result.loggedIn
        ? `<!doctype html><title>${escape(model.title)}</title><h1>${escape(model.title)}</h1><p id="rp-result" data-outcome="logged-in">Logged in as <b id="user">${escape(result.username ?? '')}</b></p><ul id="groups">${(result.groups ?? []).map((g) => `<li>${escape(g)}</li>`).join('')}</ul>`
        : `<!doctype html><title>${escape(model.title)}</title><h1>${escape(model.title)}</h1><p id="rp-result" data-outcome="refused">Login failed: ${escape(redactor.text(result.diagnosis?.title ?? 'unknown'))}</p>`,
    );
    settle(done);
  };

  const refuse = (res: http.ServerResponse, diagnosis: Diagnosis) => finish(res, { loggedIn: false, diagnosis });

  async function callback(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const current = new URL(String(req.headers['x-callback-url'] ?? redirectUri));
    transcript.push({ step: 'callback', request: { method: req.method ?? 'GET', url: current.href, ...(body ? { body } : {}) } });
    if (!pending || !config) return refuse(res, { rule: 'openid-client', step: 'callback', title: 'a callback without a login in progress', source: 'openid-client', expected: 'the state of the login started', observed: current.search });
    const login = pending;
    pending = undefined;
    const input: URL | Request = req.method === 'POST' ? new Request(current.href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }) : current;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, input, { expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true, ...(login.verifier ? { pkceCodeVerifier: login.verifier } : {}) });
    } catch (err) {
      const registered = method === client.tokenEndpointAuthMethod;
      return refuse(res, { ...openidClientDiagnosis(err, 'token'), ...(model.basicEncoding || !registered ? {} : basicEncodingFix(err, client, method)), ...registeredAuthFix(err, model, client, method, scenario.client_auth !== undefined) });
    }
    const tokenEntry = [...transcript].reverse().find((t) => t.step === 'token');
    const tokenBody = ((): Record<string, unknown> => {
      try {
        return JSON.parse(tokenEntry?.response?.body ?? '{}') as Record<string, unknown>;
      } catch {
        return {};
      }
    })();
    const idToken = tokens.id_token ? { header: decodeProtectedHeader(tokens.id_token) as Record<string, unknown>, claims: decodeJwt(tokens.id_token) as Record<string, unknown> } : undefined;
    // The ID token is verified (its JWKS fetched) before userinfo is asked, in the order the
    // applications' libraries do it (openidconnect-rs verifies the token response first).
    let idTokenSignature: RpObservation['idTokenSignature'];
    if (model.verifiesIdTokenSignature && tokens.id_token) idTokenSignature = await verifySignature(config, recordingFetch!, tokens.id_token);
    let userinfo: Record<string, unknown> | undefined;
    if (scenario.userinfo) {
      try {
        userinfo = (await oidc.fetchUserInfo(config, tokens.access_token, idToken ? String(idToken.claims.sub) : oidc.skipSubjectCheck)) as Record<string, unknown>;
      } catch (err) {
        return refuse(res, openidClientDiagnosis(err, 'userinfo'));
      }
    }
    const observation: RpObservation = {
      ...(idTokenSignature ? { idTokenSignature } : {}),
      clientId: client.id,
      requestedScope,
      tokenResponse: { status: tokenEntry?.response?.status ?? 200, contentType: tokenEntry?.response?.headers?.['content-type'], body: tokenBody },
      ...(idToken ? { idToken } : {}),
      ...(userinfo ? { userinfo } : {}),
    };
    for (const rule of model.rules) {
      const v = rule.check(observation);
      if (v) return refuse(res, { rule: rule.id, step: rule.step, title: rule.title, source: rule.source, expected: v.expected, observed: v.observed, ...(v.fix ? { fix: v.fix } : {}) });
    }
    // A claim the application does not find: where the provider serves it instead is the
    // diagnosis, so userinfo is asked even when the application itself never does.
    const probe = async (): Promise<Record<string, unknown> | undefined> => {
      if (userinfo) return userinfo;
      const before = transcript.length;
      const got = (await oidc.fetchUserInfo(config!, tokens.access_token, oidc.skipSubjectCheck).catch(() => undefined)) as Record<string, unknown> | undefined;
      for (const t of transcript.slice(before)) t.step = 'userinfo (for the diagnosis only)';
      return got;
    };
    const username = claimOf(scenario.identity.username, idToken?.claims, userinfo);
    if (!username) return refuse(res, missingClaim('username', scenario.identity.username, idToken?.claims, await probe(), !scenario.userinfo, o.idTokenClaimsFix));
    const readFrom: Record<string, string> = { [username.claim]: username.where };
    let groups: string[] | undefined;
    if (scenario.identity.groups) {
      const g = claimOf(scenario.identity.groups, idToken?.claims, userinfo);
      if (!g && o.userHasGroups) return refuse(res, missingClaim('groups', scenario.identity.groups, idToken?.claims, await probe(), !scenario.userinfo, o.idTokenClaimsFix));
      if (g && (!Array.isArray(g.value) || !g.value.every((x) => typeof x === 'string'))) {
        return refuse(res, { rule: 'identity.groups', step: 'identity', title: `the application reads ${g.claim} as a JSON array of strings`, source: 'the scenario: identity.groups', expected: 'an array of strings', observed: { [g.claim]: g.value } });
      }
      groups = g ? (g.value as string[]) : [];
      if (g) readFrom[g.claim] = g.where;
    }
    finish(res, { loggedIn: true, username: String(username.value), ...(groups ? { groups } : {}), readFrom });
  }

  async function home(res: http.ServerResponse): Promise<void> {
    if (!config) ({ config, fetch: recordingFetch } = await configure(o, method, transcript));
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const verifier = scenario.pkce === 'S256' ? oidc.randomPKCECodeVerifier() : undefined;
    const params: Record<string, string> = { redirect_uri: redirectUri!, scope: requestedScope, state, nonce, response_type: 'code' };
    if (verifier) Object.assign(params, { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    if (scenario.response_mode === 'form_post') params.response_mode = 'form_post';
    const url = oidc.buildAuthorizationUrl(config, params);
    pending = { state, nonce, ...(verifier ? { verifier } : {}) };
    await routeCallback(redirectUri!, state, baseUrl);
    transcript.push({ step: 'authorization', request: { method: 'GET', url: url.href } });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><title>${escape(model.title)}</title><h1>${escape(model.title)}</h1><a id="login" href="${escape(url.href)}">Log in with OpenID Connect</a>`);
  }

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://app').pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const work = path === '/callback' ? callback(req, res, Buffer.concat(chunks).toString()) : path === '/' ? home(res) : Promise.resolve(void res.writeHead(404).end());
      work.catch((err: unknown) => {
        // Discovery that fails, or the listener that did not take the route: the application cannot start a login.
        if (!res.headersSent) refuse(res, openidClientDiagnosis(err, path === '/' ? 'discovery' : 'callback'));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${baseUrl}/`,
    outcome,
    transcript: () => redactor.value(transcript),
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The ID token's signature against the provider's JWKS, fetched as the application fetches it
 *  (recorded in the transcript through openid-client's custom fetch). */
async function verifySignature(config: oidc.Configuration, fetchJwks: oidc.CustomFetch, idToken: string): Promise<{ valid: true } | { valid: false; error: string }> {
  const uri = config.serverMetadata().jwks_uri;
  if (!uri) return { valid: false, error: 'no jwks_uri to verify the signature with' };
  try {
    const res = await fetchJwks(uri, { method: 'GET', headers: { accept: 'application/json' }, body: undefined, redirect: 'manual', signal: AbortSignal.timeout(10_000) } as Parameters<oidc.CustomFetch>[1]);
    // The signature alone: the claims are openid-client's and the rules' business.
    await compactVerify(idToken, createLocalJWKSet((await res.json()) as JSONWebKeySet));
    return { valid: true };
  } catch (err) {
    return { valid: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** RFC 6749 §2.3.1: client_secret_basic credentials are form-urlencoded before base64, so
 *  openid-client sends "insecure_secret" as "insecure%5Fsecret"; a provider that does not decode
 *  them (glewlwyd 2.7) refuses the client. Said when the refusal is the client's and its id or
 *  secret has a character that the encoding changes. */
/** Whether the token endpoint refused the client's authentication. */
function clientRefused(err: unknown): boolean {
  // A body error carries `error`; a 401 with WWW-Authenticate is a challenge error with `status`.
  const e = err as { error?: string; status?: number };
  return ['invalid_client', 'unauthorized_client'].includes(e.error ?? '') || e.status === 401 || e.status === 403;
}

function basicEncodingFix(err: unknown, client: ClientSpec, method: string): { fix?: string } {
  if (method !== 'client_secret_basic' || !clientRefused(err)) return {};
  const changed = (v: string) => /[^A-Za-z0-9]/.test(v);
  if (!changed(client.id) && !changed(client.secret ?? '')) return {};
  return { fix: "RFC 6749 §2.3.1: relying-party libraries form-urlencode the client_id and client_secret before Basic authentication (openid-client sends '_' as %5F); the provider must decode them. Until it does, a client secret of letters and digits only avoids it" };
}

/** The application authenticates one way (the scenario's `client_auth`, or always, by its
 *  model) and the provider registered the client for another: the refusal's likely cause and its
 *  fix. */
function registeredAuthFix(err: unknown, model: RpModel, client: ClientSpec, method: string, fromScenario: boolean): { fix?: string } {
  if (method === client.tokenEndpointAuthMethod || !clientRefused(err)) return {};
  const registered = `the provider registers ${client.id} with token_endpoint_auth_method ${client.tokenEndpointAuthMethod}`;
  if (fromScenario || !model.clientAuth) return { fix: `the application authenticates with ${method} (the scenario's client_auth); ${registered}: register it with ${method}, or set client_auth: ${client.tokenEndpointAuthMethod} where the application can use it` };
  return { fix: `${model.title} always authenticates with ${method} (${model.clientAuth.source}); ${registered}: register it with ${method}` };
}

/** openid-client's own refusal, with its error code, as the diagnosis. */
function openidClientDiagnosis(err: unknown, stepDone: string): Diagnosis {
  const e = err as { message?: string; code?: string; error?: string; error_description?: string; cause?: unknown };
  // An error the provider put in the authorization response is the callback's, not the token step's.
  const step = e.code === 'OAUTH_AUTHORIZATION_RESPONSE_ERROR' ? 'callback' : stepDone;
  const detail = e.error ? `${e.error}${e.error_description ? `: ${e.error_description}` : ''}` : (e.message ?? String(err));
  return {
    rule: 'openid-client',
    step,
    title: `openid-client refused the ${step} step: ${detail}`,
    source: `openid-client (panva/openid-client, oauth4webapi)${e.code ? ` error ${e.code}` : ''}`,
    expected: 'a response a certified relying party accepts',
    // Not `code`: that key is redacted everywhere as an authorization code.
    observed: { error: detail, ...(e.code ? { openid_client_error: e.code } : {}) },
  };
}

export type { TestUser };
