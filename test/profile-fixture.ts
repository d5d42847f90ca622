// A small resolved profile built in code, for tests that must not depend on the config loader.

import type { ClientSpec, TargetProfile } from '../src/model/target.ts';
import { behaviourNamed } from '../src/providers/index.ts';

export function client(id: string, overrides: Partial<ClientSpec> = {}, port = 29900): ClientSpec {
  return {
    id,
    name: id,
    secret: `${id}-secret-value`,
    public: false,
    redirectUris: [`http://127.0.0.1:${port}/cb/${id}`],
    scopes: ['openid', 'profile', 'email', 'groups'],
    grantTypes: ['authorization_code'],
    responseTypes: ['code'],
    responseModes: ['form_post', 'query'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    requirePkce: false,
    pkceChallengeMethod: '',
    authorizationPolicy: 'one_factor',
    consentMode: 'implicit',
    userinfoSignedResponseAlg: 'none',
    idTokenSignedResponseAlg: 'RS256',
    audience: [],
    idTokenClaims: [],
    sources: { client: `test: ${id}`, tokenEndpointAuthMethod: `test: clients.${id}.token_endpoint_auth_method` },
    ...overrides,
  };
}

export function testProfile(port = 29900): TargetProfile {
  return {
    name: 'test',
    file: '/dev/null',
    start: { mode: 'embedded', configFile: '/dev/null' },
    login: { driver: 'embedded' },
    claimsProfile: 'authelia-4.39',
    behaviour: behaviourNamed('authelia-4.39')!,
    users: [{ username: 'john', password: 'john-test-password', claims: { email: 'john@example.com', email_verified: true, name: 'John Doe', preferred_username: 'john', groups: ['admins'] } }],
    clients: [
      client('basic', {}, port),
      client('post', { tokenEndpointAuthMethod: 'client_secret_post' }, port),
      client('refresher', { grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid', 'offline_access', 'profile'], consentMode: 'explicit' }, port),
      client('spa', { public: true, tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid', 'offline_access', 'profile'] }, port),
    ].map((c) => (c.public ? { ...c, secret: undefined } as unknown as typeof c : c)),
    provider: {
      lifespans: { accessToken: 3600, idToken: 3600, refreshToken: 5400, authorizeCode: 60 },
      customLifespans: {},
      enforcePkce: 'public_clients_only',
      enablePkcePlainChallenge: false,
      minimumParameterEntropy: 8,
      cors: { endpoints: [], allowedOrigins: [], allowedOriginsFromClientRedirectUris: false },
      sources: {},
    },
  };
}
