// glewlwyd set up through its admin API from the profile: the OIDC plugin (lifespans, PKCE,
// introspection and a signing key), the scopes the clients use, the test users and the clients.
// What glewlwyd cannot express (per-client two-factor, consent modes, claims policies) is not
// faked: it is listed in the notes and the checks report the difference.

import { generateKeyPairSync } from 'node:crypto';
import type { ClientSpec, TargetProfile } from '../../model/target.ts';
import { send, type RawResponse } from '../../http/exchange.ts';
import type { ProvisionContext } from '../../targets/provision/types.ts';
import { ProvisionError } from '../../targets/provision/types.ts';

interface Admin {
  base: URL;
  cookie: string;
}

async function call(admin: Admin, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const url = new URL(path, admin.base);
  const res = await send({ method, url, headers: { cookie: admin.cookie, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status !== 200) throw new ProvisionError(`glewlwyd admin API: ${method} ${url.pathname} answered ${res.status}: ${res.text.slice(0, 200)}`);
  return res;
}

async function login(base: URL, username: string, password: string): Promise<Admin> {
  const res = await send({ method: 'POST', url: new URL('api/auth/', base), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const cookie = (res.headers['set-cookie'] ?? '').split(';')[0];
  if (res.status !== 200 || !cookie) throw new ProvisionError(`glewlwyd admin login as ${username} answered ${res.status}`);
  return { base, cookie };
}

/** The grant types a client's configuration allows, in glewlwyd's `authorization_type` words. */
export function authorizationTypes(client: ClientSpec): string[] {
  const types = new Set<string>();
  if (client.grantTypes.includes('authorization_code')) types.add('code');
  if (client.grantTypes.includes('refresh_token')) types.add('refresh_token');
  for (const rt of client.responseTypes) {
    for (const part of rt.split(' ')) if (part === 'token' || part === 'id_token' || part === 'code') types.add(part);
  }
  return [...types];
}

export function pluginParameters(profile: TargetProfile, issuer: string, keys: { key: string; cert: string }): Record<string, unknown> {
  const p = profile.provider;
  const scopes = [...new Set(profile.clients.flatMap((c) => c.scopes))];
  return {
    iss: issuer,
    'jwt-type': 'rsa',
    'jwt-key-size': '256',
    key: keys.key,
    cert: keys.cert,
    'access-token-duration': p.lifespans.accessToken,
    'refresh-token-duration': p.lifespans.refreshToken,
    'code-duration': p.lifespans.authorizeCode,
    'refresh-token-rolling': true,
    // Authelia's refresh tokens are single use and rotate.
    'refresh-token-one-use': 'always',
    'allow-non-oidc': false,
    'auth-type-code-enabled': true,
    'auth-type-token-enabled': true,
    'auth-type-id-token-enabled': true,
    'auth-type-none-enabled': false,
    'auth-type-password-enabled': false,
    'auth-type-client-enabled': false,
    'auth-type-refresh-enabled': true,
    'allowed-scope': scopes,
    'pkce-allowed': true,
    'pkce-method-plain-allowed': p.enablePkcePlainChallenge,
    'pkce-required': p.enforcePkce === 'always',
    'pkce-required-public-client': p.enforcePkce !== 'never',
    'introspection-revocation-allowed': true,
    'introspection-revocation-allow-target-client': true,
    'name-claim': 'on-demand',
    'name-claim-scope': ['profile'],
    'email-claim': 'on-demand',
    'email-claim-scope': ['email'],
    claims: [{ name: 'preferred_username', 'user-property': 'username', type: 'string', mandatory: false, 'on-demand': true, scope: ['profile'] }],
    'session-cookie-name': 'GLEWLWYD2_OIDC_SID',
    'session-cookie-expiration': 2419200,
    'jwks-show': true,
    'request-parameter-allow': true,
  };
}

export function clientBody(client: ClientSpec): Record<string, unknown> {
  return {
    client_id: client.id,
    name: client.name,
    enabled: true,
    confidential: !client.public,
    ...(client.secret ? { password: client.secret, client_secret: client.secret } : {}),
    redirect_uri: client.redirectUris,
    authorization_type: authorizationTypes(client),
    token_endpoint_auth_method: [client.tokenEndpointAuthMethod],
    ...(client.sectorIdentifierUri ? { sector_identifier_uri: client.sectorIdentifierUri } : {}),
    scope: [],
  };
}

function signingKeys(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** What glewlwyd has no setting for: said once, so a reader of the report knows why those checks differ. */
export function unexpressed(profile: TargetProfile): string[] {
  const notes: string[] = [];
  const twoFactor = profile.clients.filter((c) => c.authorizationPolicy === 'two_factor').map((c) => c.id);
  if (twoFactor.length) notes.push(`glewlwyd: no per-client two-factor policy (its second factors attach to scopes); not provisioned for ${twoFactor.join(', ')}`);
  const consent = profile.clients.filter((c) => c.consentMode !== 'explicit' && c.consentMode !== 'auto').map((c) => `${c.id} (${c.consentMode})`);
  if (consent.length) notes.push(`glewlwyd: consent is a per-user grant remembered until revoked; no setting for ${consent.join(', ')}`);
  if (profile.clients.some((c) => c.idTokenClaims.length)) notes.push('glewlwyd: no claims policies; ID token claims are those of its plugin settings');
  return notes;
}

export async function provisionGlewlwyd(ctx: ProvisionContext, credentials: { username: string; password: string }): Promise<string[]> {
  const { profile, issuer } = ctx;
  const base = new URL('/', issuer);
  const admin = await login(base, credentials.username, credentials.password);
  await call(admin, 'POST', 'api/mod/plugin/', { module: 'oidc', name: 'oidc', display_name: 'OpenID Connect', enabled: true, parameters: pluginParameters(profile, issuer, signingKeys()) });
  const scopes = [...new Set(profile.clients.flatMap((c) => c.scopes))].filter((s) => s !== 'openid');
  for (const name of scopes) {
    await call(admin, 'POST', 'api/scope/', { name, display_name: name, description: `${name} (oidc-harness)`, password_required: true, scheme: {} });
  }
  for (const user of profile.users) {
    const claims = user.claims;
    await call(admin, 'POST', 'api/user/', {
      username: user.username,
      password: user.password,
      enabled: true,
      scope: ['openid', ...scopes],
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    });
  }
  for (const client of profile.clients) await call(admin, 'POST', 'api/client/', clientBody(client));
  return [`provisioned glewlwyd through its admin API: oidc plugin, ${scopes.length} scopes, ${profile.users.length} users, ${profile.clients.length} clients`, ...unexpressed(profile)];
}
