// panva's oidc-provider 9 with its own defaults, as a `command` target (docker/oidc-provider/target.yml):
//   node --import tsx docker/oidc-provider/server.ts --port 9092 [--profile docker/oidc-provider] [--verbose]
//
// The configuration is read through the harness's own importer (loadProfile: the profile's
// configuration.yml, its client_secrets plaintexts and its test users). ONLY the following is
// mapped onto oidc-provider's documented client metadata and settings:
//
//   identity_providers.oidc.clients[]            -> `clients` (one entry each):
//     client_id / id                             -> client_id
//     client_name / description                  -> client_name
//     client_secret / secret (+ client_secrets)  -> client_secret (the profile's plaintext; absent for public clients)
//     public                                     -> (through token_endpoint_auth_method: none)
//     redirect_uris                              -> redirect_uris
//     grant_types                                -> grant_types
//     response_types                             -> response_types
//     token_endpoint_auth_method                 -> token_endpoint_auth_method
//     scopes                                     -> scope (the scopes the client may request)
//     id_token_signed_response_alg               -> id_token_signed_response_alg
//     userinfo_signed_response_alg / userinfo_signing_algorithm
//                                                -> userinfo_signed_response_alg when not `none`
//                                                   (and then features.jwtUserinfo, which it needs)
//     sector_identifier_uri                      -> subject_type pairwise + sector_identifier_uri
//                                                   (and then subjectTypes and a pairwiseIdentifier,
//                                                   which oidc-provider needs for pairwise subjects)
//     lifespan (lifespans.custom.<name>)         -> that client's values in `ttl` below
//     require_pkce                               -> pkce.required for that client
//   identity_providers.oidc.lifespans.access_token   -> ttl.AccessToken
//   identity_providers.oidc.lifespans.id_token       -> ttl.IdToken
//   identity_providers.oidc.lifespans.refresh_token  -> ttl.RefreshToken (the number only: a rotated
//                                                   public client's token keeps the remaining
//                                                   lifetime of the one it replaces, as in
//                                                   oidc-provider's default ttl.RefreshToken)
//   identity_providers.oidc.lifespans.authorize_code -> ttl.AuthorizationCode
//   identity_providers.oidc.enforce_pkce         -> pkce.required (always / never / public_clients_only)
//   profile users[] (username, claims)           -> findAccount (sub = username; claims = users[].claims)
//
// Also set, because oidc-provider cannot run without them or the task asks for them: a signing
// key (`jwks`: one RS256 key generated at each start), `scopes` and `claims` (openid, offline_access
// and the standard OIDC Core §5.4 scope claims, plus groups -> groups), features.introspection and
// features.revocation enabled (with their default policies), features.devInteractions enabled
// (its default: oidc-provider's own plain HTML login and consent pages).
//
// NOTHING ELSE is changed: oidc-provider's own grant and session model, refresh-token issuing
// (offline_access, which it keeps only with prompt=consent), rotation (public clients only),
// client authentication (client_secret_basic and client_secret_post both accepted), error codes,
// CORS (clientBasedCORS default), consent (remembered in the grant), claims parameter (disabled),
// cookies, Session / Grant / Interaction lifetimes, response modes, in-memory adapter.
// Not mapped, because oidc-provider 9 has no setting for them: authorization_policy (no second
// factor), consent_mode and pre_configured_consent_duration, minimum_parameter_entropy,
// response_modes per client, audience, enable_pkce_plain_challenge (S256 only), cors.*,
// claims_policies, access_token_signed_response_alg (access tokens stay opaque).
//
// Output: one line when listening; oidc-provider's development warnings (in-memory adapter,
// devInteractions, Node 20 "Unsupported runtime", "you should change X") only with --verbose.
// SIGTERM / SIGINT close the server and exit 0.

import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as jose from 'jose';
import type { ClientMetadata, Configuration } from 'oidc-provider';
import { loadProfile } from '../../src/config/profile.ts';
import type { ClientSpec, Lifespans } from '../../src/model/target.ts';
import { fillTemplate } from '../../src/targets/template.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    profile: { type: 'string', default: path.join(import.meta.dirname, 'target.yml') },
    verbose: { type: 'boolean', default: false },
  },
});
if (!values.port || !/^\d+$/.test(values.port)) {
  console.error('usage: server.ts --port <port> [--host 127.0.0.1] [--profile target.yml] [--verbose]');
  process.exit(2);
}
const port = Number(values.port);

if (!values.verbose) {
  const warn = console.warn;
  const info = console.info;
  console.warn = (...args: unknown[]) => void (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING') ? undefined : warn(...args));
  console.info = (...args: unknown[]) => void (typeof args[0] === 'string' && args[0].startsWith('oidc-provider NOTICE') ? undefined : info(...args));
}
const { default: Provider } = await import('oidc-provider');

// The CLI has checked the plaintexts against the digests already; this process only needs them.
const profile = loadProfile(values.profile!, { verifyDigests: false });
const issuer = fillTemplate(profile.issuer ?? 'http://127.0.0.1:${PORT}', { ...process.env, PORT: String(port) }, `${path.basename(profile.file)}: issuer`).replace(/\/$/, '');

const specs = new Map(profile.clients.map((c) => [c.id, c]));
const users = new Map(profile.users.map((u) => [u.username, u]));
const { lifespans, customLifespans, enforcePkce } = profile.provider;

/** The configured lifespan for a client: its `lifespans.custom.<name>` value, else the global one. */
function lifespan(clientId: string | undefined, key: keyof Lifespans): number {
  const name = clientId ? specs.get(clientId)?.lifespan : undefined;
  return (name ? customLifespans[name]?.[key] : undefined) ?? lifespans[key];
}

function clientMetadata(c: ClientSpec): ClientMetadata {
  return {
    client_id: c.id,
    client_name: c.name,
    ...(c.secret !== undefined && !c.public ? { client_secret: c.secret } : {}),
    redirect_uris: c.redirectUris,
    grant_types: c.grantTypes,
    response_types: c.responseTypes as ClientMetadata['response_types'],
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    scope: c.scopes.join(' '),
    id_token_signed_response_alg: c.idTokenSignedResponseAlg as ClientMetadata['id_token_signed_response_alg'],
    ...(c.userinfoSignedResponseAlg && c.userinfoSignedResponseAlg !== 'none' ? { userinfo_signed_response_alg: c.userinfoSignedResponseAlg as ClientMetadata['userinfo_signed_response_alg'] } : {}),
    ...(c.sectorIdentifierUri ? { subject_type: 'pairwise', sector_identifier_uri: c.sectorIdentifierUri } : {}),
  };
}

const signedUserinfo = profile.clients.some((c) => c.userinfoSignedResponseAlg && c.userinfoSignedResponseAlg !== 'none');
const pairwise = profile.clients.some((c) => c.sectorIdentifierUri);

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

// OIDC Core §5.4, plus groups -> groups.
const claims = {
  openid: ['sub'],
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  groups: ['groups'],
};

const configuration: Configuration = {
  clients: profile.clients.map(clientMetadata),
  jwks: { keys: [signingKey as jose.JWK & { kid: string }] } as Configuration['jwks'],
  scopes: ['openid', 'offline_access', 'profile', 'email', 'address', 'phone', 'groups'],
  claims,
  ...(pairwise
    ? {
        subjectTypes: ['public', 'pairwise'],
        async pairwiseIdentifier(_ctx, accountId, client) {
          return createHash('sha256').update(`${client.sectorIdentifier ?? ''}\0${accountId}`).digest('base64url');
        },
      }
    : {}),
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    ...(signedUserinfo ? { jwtUserinfo: { enabled: true } } : {}),
  },
  async findAccount(_ctx, sub) {
    const user = users.get(sub);
    if (!user) return undefined;
    return { accountId: sub, claims: async () => ({ ...user.claims, sub }) };
  },
  pkce: {
    required(_ctx, client) {
      if (specs.get(client.clientId)?.requirePkce) return true;
      switch (enforcePkce) {
        case 'always':
          return true;
        case 'never':
          return false;
        case 'public_clients_only':
          return client.clientAuthMethod === 'none';
      }
    },
  },
  ttl: {
    AccessToken: (_ctx, _token, client) => lifespan(client.clientId, 'accessToken'),
    AuthorizationCode: (_ctx, _code, client) => lifespan(client.clientId, 'authorizeCode'),
    IdToken: (_ctx, _token, client) => lifespan(client.clientId, 'idToken'),
    RefreshToken(ctx, token, client) {
      // oidc-provider's default, with the configured number in place of its 14 days.
      const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
      if (rotated && client.applicationType === 'web' && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) return rotated.remainingTTL;
      return lifespan(client.clientId, 'refreshToken');
    },
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (_ctx: unknown, err: Error) => process.stderr.write(`oidc-provider server_error: ${err.message}\n`));

const server = http.createServer(provider.callback());
const sockets = new Set<Socket>();
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, values.host, () => resolve());
});
console.log(`oidc-provider ${issuer}`);

const stop = () => {
  for (const s of sockets) s.destroy();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
