import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { hashClientSecretPbkdf2, importAutheliaConfig, readYaml } from './authelia.ts';
import { loadProfile } from './profile.ts';
import { ConfigError } from './errors.ts';
import { tempFiles, thrown } from '../../test/thrown.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { DeferredDigests, verifyDigest } from './digest.ts';

const REFERENCE = path.resolve(import.meta.dirname, '../../docker/reference');
const file = tempFiles('harness-authelia-');
const configError = (fn: () => unknown): ConfigError => thrown(ConfigError, fn);
const oidc = (body: string) => `identity_providers:\n  oidc:\n${body.replace(/^/gm, '    ')}\n`;
const CB = "redirect_uris: ['http://127.0.0.1:2/cb']";

describe('the shipped reference target, value by value', () => {
  const p = loadProfile(REFERENCE, { verifyDigests: false });
  const byId = Object.fromEntries(p.clients.map((c) => [c.id, c]));
  it('resolves every client exactly', () => {
    expect(byId.rustdesk).toMatchObject({
      name: 'RustDesk Server Pro', secret: 'insecure_secret', public: false,
      redirectUris: ['http://127.0.0.1:29011/api/oidc/callback'], scopes: ['openid', 'email', 'profile'],
      grantTypes: ['authorization_code'], responseTypes: ['code'], responseModes: ['form_post', 'query'],
      tokenEndpointAuthMethod: 'client_secret_basic', requirePkce: false, pkceChallengeMethod: '',
      authorizationPolicy: 'one_factor', consentMode: 'auto', preConfiguredConsentDuration: 604800,
      userinfoSignedResponseAlg: 'none', idTokenSignedResponseAlg: 'RS256', audience: [], idTokenClaims: [],
    });
    expect(byId.proxmox).toMatchObject({ secret: 'insecure_secret', tokenEndpointAuthMethod: 'client_secret_basic', scopes: ['openid', 'profile', 'email'], authorizationPolicy: 'one_factor' });
    expect(byId.kasm).toMatchObject({ name: 'Kasm Workspaces', consentMode: 'implicit', scopes: ['openid', 'profile', 'groups', 'email'] });
    expect(byId.myapp).toMatchObject({ consentMode: 'explicit', tokenEndpointAuthMethod: 'client_secret_post', scopes: ['openid', 'offline_access', 'groups', 'email', 'profile'], grantTypes: ['authorization_code', 'refresh_token'] });
    expect(byId.spa).toMatchObject({ public: true, requirePkce: true, pkceChallengeMethod: 'S256', tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'] });
    const ports = p.clients.flatMap((c) => c.redirectUris.map((u) => Number(new URL(u).port)));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(29000), expect(port).toBeLessThan(29100);
  });
  it('quotes the key as written, never a plaintext secret', () => {
    expect(byId.rustdesk!.sources.client).toBe('configuration.yml: identity_providers.oidc.clients[0] (rustdesk)');
    expect(byId.rustdesk!.sources.scopes).toBe('configuration.yml: identity_providers.oidc.clients[0].scopes = openid, email, profile');
    expect(byId.proxmox!.sources.id).toBe('configuration.yml: identity_providers.oidc.clients[1].id = proxmox');
    expect(byId.proxmox!.sources.secret).toBe('configuration.yml: identity_providers.oidc.clients[1].secret = $pbkdf2-sha512$310000$… (plaintext from client_secrets.proxmox)');
    expect(byId.kasm!.sources.responseModes).toBe('Authelia default: response_modes = form_post, query');
    expect(byId.kasm!.sources.preConfiguredConsentDuration).toBe('Authelia default: pre_configured_consent_duration = 1w');
    for (const c of p.clients) expect(JSON.stringify(c.sources)).not.toContain('insecure_secret');
  });
  it('resolves the provider options with their sources', () => {
    expect(p.provider).toMatchObject({
      lifespans: { accessToken: 3600, idToken: 3600, refreshToken: 5400, authorizeCode: 60 },
      customLifespans: {}, enforcePkce: 'public_clients_only', enablePkcePlainChallenge: false, minimumParameterEntropy: 8,
      cors: { endpoints: ['userinfo', 'token', 'revocation', 'introspection'], allowedOrigins: ['https://app.example.com'], allowedOriginsFromClientRedirectUris: false },
    });
    expect(p.provider.sources['lifespans.refreshToken']).toBe('configuration.yml: identity_providers.oidc.lifespans.refresh_token = 1h30m');
    expect(p.provider.sources['cors.endpoints']).toBe('configuration.yml: identity_providers.oidc.cors.endpoints = userinfo, token, revocation, introspection');
    expect(p.provider.sources.enforcePkce).toBe('configuration.yml: identity_providers.oidc.enforce_pkce = public_clients_only');
  });
  it('is the embedded target with two users and absolute paths', () => {
    expect(p).toMatchObject({ name: 'reference', claimsProfile: 'authelia-4.39', login: { driver: 'embedded' } });
    expect(p.start).toEqual({ mode: 'embedded', configFile: path.join(REFERENCE, 'configuration.yml') });
    expect(p.configFile).toBe(path.join(REFERENCE, 'configuration.yml'));
    expect(p.file).toBe(path.join(REFERENCE, 'target.yml'));
    expect(p.issuer).toBeUndefined();
    expect(p.users[0]).toEqual({ username: 'john', password: 'john-test-password', totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', claims: { email: 'john@example.com', email_verified: true, name: 'John Doe', preferred_username: 'john', groups: ['admins', 'dev'] } });
  });
});

describe('defaults', () => {
  it('a minimal client and provider get every Authelia default, sourced as such', () => {
    const { clients, provider } = importAutheliaConfig(file('min.yml', oidc(`clients: [{client_id: c, client_secret: s, ${CB}}]`)));
    const c = clients[0]!;
    expect(c).toMatchObject({ name: 'c', public: false, tokenEndpointAuthMethod: 'client_secret_basic', authorizationPolicy: 'two_factor', consentMode: 'auto', scopes: ['openid', 'groups', 'profile', 'email'], grantTypes: ['authorization_code'], responseTypes: ['code'], userinfoSignedResponseAlg: 'none', idTokenSignedResponseAlg: 'RS256', requirePkce: false, pkceChallengeMethod: '' });
    expect(c.sources.tokenEndpointAuthMethod).toBe('Authelia default: token_endpoint_auth_method = client_secret_basic');
    expect(c.sources.idTokenSignedResponseAlg).toBe('Authelia default: id_token_signed_response_alg = RS256');
    expect(provider.sources['lifespans.refreshToken']).toBe('Authelia default: lifespans.refresh_token = 1h30m');
    expect(provider.sources['lifespans.authorizeCode']).toBe('Authelia default: lifespans.authorize_code = 1m');
    expect(provider.sources.minimumParameterEntropy).toBe('Authelia default: minimum_parameter_entropy = 8');
    expect(provider.cors).toEqual({ endpoints: [], allowedOrigins: [], allowedOriginsFromClientRedirectUris: false });
  });
  it('a public client defaults to token_endpoint_auth_method none and has no secret', () => {
    const { clients } = importAutheliaConfig(file('pub.yml', oidc(`clients: [{client_id: p, public: true, ${CB}}]`)));
    expect(clients[0]).toMatchObject({ public: true, tokenEndpointAuthMethod: 'none' });
    expect(clients[0]!.secret).toBeUndefined();
  });
  it('accepts the documented keys of both generations, "*" origins and custom policies', () => {
    const cfg = file('full.yml', oidc(`hmac_secret: x
issuer_private_key: x
issuer_certificate_chain: x
jwks: [{key_id: k, algorithm: RS256, use: sig, key: x}]
enable_client_debug_messages: false
enable_jwt_access_token_stateless_introspection: false
discovery_signed_response_alg: none
discovery_signed_response_key_id: k
require_pushed_authorization_requests: false
minimum_parameter_entropy: -1
enforce_pkce: always
lifespans: {access_token: 2h, device_code: 10m, jwt_secured_authorization: 1m, custom: {short: {access_token: 1m, id_token: 2m, grants: {refresh_token: {access_token: 5m}}}}}
cors: {endpoints: [token, pushed-authorization-request, device-authorization], allowed_origins: '*'}
claims_policies: {legacy: {id_token: [email, groups]}}
scope_definitions: {}
authorization_policies: {pol: {default_policy: one_factor, rules: [{policy: two_factor, subject: 'group:admins'}]}}
clients:
  - {client_id: a, client_secret: s, ${CB}, authorization_policy: pol, lifespan: short, claims_policy: legacy, jwks_uri: 'https://a/jwks', request_uris: [], requested_audience_mode: explicit, allow_multiple_auth_methods: false, access_token_signed_response_alg: none, introspection_signed_response_alg: none, token_endpoint_auth_signing_alg: RS256, request_object_signing_alg: RS256, logo_uri: 'https://a/l.png', id_token_signed_response_key_id: k, sector_identifier_uri: 'https://a/s'}`));
    const { clients, provider } = importAutheliaConfig(cfg);
    expect(clients[0]).toMatchObject({ authorizationPolicy: 'one_factor', lifespan: 'short', idTokenClaims: ['email', 'groups'], sectorIdentifierUri: 'https://a/s' });
    expect(provider).toMatchObject({ enforcePkce: 'always', minimumParameterEntropy: -1, customLifespans: { short: { accessToken: 60, idToken: 120 } }, cors: { allowedOrigins: ['*'] } });
    expect(provider.sources['cors.allowedOrigins']).toBe('full.yml: identity_providers.oidc.cors.allowed_origins = *');
  });
});

describe('errors name the file and the field on one line', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['unknown provider key', oidc(`token_lifespan: 1h\nclients: [{client_id: c, client_secret: s, ${CB}}]`), 'identity_providers.oidc.token_lifespan', /unknown field/],
    ['unknown client key', oidc(`clients: [{client_id: a, client_secret: s, ${CB}}, {client_id: b, client_secret: s, ${CB}}, {client_id: c, client_secret: s, redirect_uri: x}]`), 'identity_providers.oidc.clients[2].redirect_uri', /unknown field/],
    ['wrong type in a list', oidc(`clients: [{client_id: c, client_secret: s, scopes: [1], ${CB}}]`), 'identity_providers.oidc.clients[0].scopes[0]', /expected a string, got number 1/],
    ['no redirect URIs', oidc('clients: [{client_id: c, client_secret: s}]'), 'identity_providers.oidc.clients[0].redirect_uris', /at least one redirect URI/],
    ['bad client duration', oidc(`clients: [{client_id: c, client_secret: s, pre_configured_consent_duration: forever, ${CB}}]`), 'identity_providers.oidc.clients[0].pre_configured_consent_duration', /duration/],
    ['unknown authorization policy', oidc(`clients: [{client_id: c, client_secret: s, authorization_policy: three_factor, ${CB}}]`), 'identity_providers.oidc.clients[0].authorization_policy', /three_factor/],
    ['old-spelling digest mismatch', oidc(`clients: [{id: c, secret: '${hashClientSecretPbkdf2('right', Buffer.alloc(16, 1))}', ${CB}}]`), 'identity_providers.oidc.clients[0].secret', /the plaintext given for c does not match the digest/],
    ['no oidc section', 'server: {address: "tcp://:9091"}\n', 'identity_providers.oidc', /required/],
    ['bad enforce_pkce', oidc(`enforce_pkce: sometimes\nclients: [{client_id: c, client_secret: s, ${CB}}]`), 'identity_providers.oidc.enforce_pkce', /expected one of "public_clients_only", "always", "never"/],
    // Values Authelia refuses at start were taken silently; an unknown CORS endpoint opened nothing.
    ['unknown CORS endpoint', oidc(`cors: {endpoints: [userinfo, everything]}\nclients: [{client_id: c, client_secret: s, ${CB}}]`), 'identity_providers.oidc.cors.endpoints[1]', /^expected one of "authorization", "device-authorization", "pushed-authorization-request", "token", "introspection", "revocation", "userinfo", got string "everything"$/],
    ['an allowed origin that is not one', oidc(`cors: {allowed_origins: ['https://ok.example.com', 'not an origin']}\nclients: [{client_id: c, client_secret: s, ${CB}}]`), 'identity_providers.oidc.cors.allowed_origins[1]', /^expected "\*" or an origin \(scheme, host and port only, no path or trailing slash: https:\/\/app\.example\.com\), got "not an origin"$/],
    ['an allowed origin with a path', oidc(`cors: {allowed_origins: 'https://app.example.com/'}\nclients: [{client_id: c, client_secret: s, ${CB}}]`), 'identity_providers.oidc.cors.allowed_origins', /got "https:\/\/app\.example\.com\/"$/],
    ['unknown grant type', oidc(`clients: [{client_id: c, client_secret: s, grant_types: [authorization_code, magic], ${CB}}]`), 'identity_providers.oidc.clients[0].grant_types[1]', /^expected one of "authorization_code", "implicit", "refresh_token", "client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code", got string "magic"$/],
    ['a lifespan that is no custom lifespan', oidc(`lifespans: {custom: {short: {access_token: 1m}, long: {access_token: 1d}}}\nclients: [{client_id: c, client_secret: s, lifespan: nosuch, ${CB}}]`), 'identity_providers.oidc.clients[0].lifespan', /^no lifespans\.custom entry named nosuch \(named: short, long\)$/],
    ['a lifespan with no custom lifespans', oidc(`clients: [{client_id: c, client_secret: s, lifespan: nosuch, ${CB}}]`), 'identity_providers.oidc.clients[0].lifespan', /^no lifespans\.custom entry named nosuch \(there is none\)$/],
  ];
  for (const [what, text, field, problem] of cases) {
    it(what, () => {
      const f = file(`${what.replace(/\W+/g, '-')}.yml`, text);
      const e = configError(() => importAutheliaConfig(f, { c: 'wrong' }));
      expect(e.field).toBe(field);
      expect(e.problem).toMatch(problem);
      expect(e.file).toBe(f);
      expect(e.message.endsWith(`${path.basename(f)}: ${field}: ${e.problem}`)).toBe(true);
      expect(e.message).not.toContain('\n');
    });
  }
  it('a YAML syntax error in the configuration gives its line', () => {
    const e = configError(() => importAutheliaConfig(file('syntax.yml', 'identity_providers:\n  oidc:\n    clients: [\n')));
    expect(e.field).toBe('(yaml)');
    expect(e.problem).toMatch(/line \d+/);
  });
  it('a YAML syntax error says where and what once, without the excerpt\'s dangling colon', () => {
    const e = configError(() => readYaml(file('indent.yml', 'a:\n  b: 1\n c: 2\n')));
    expect(e.message).toMatch(/indent\.yml: \(yaml\): syntax error at line \d+, column \d+: [A-Z][^:]*[a-z]$/);
    expect(e.message.match(/at line/g)).toHaveLength(1);
  });
  it('profile: a name that cannot name a folder, a bad start mode, a missing command', () => {
    const base = `login: {driver: embedded}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, ${CB}}]\n`;
    expect(configError(() => loadProfile(file('n.yml', `name: My Target\nissuer: http://127.0.0.1:1\n${base}`))).field).toBe('name');
    expect(configError(() => loadProfile(file('m.yml', `name: x\nstart: {mode: docker}\nissuer: http://127.0.0.1:1\n${base}`))).message).toMatch(/start\.mode: expected mode embedded, command, container or url$/);
    expect(configError(() => loadProfile(file('c.yml', `name: x\nstart: {mode: command}\nissuer: http://127.0.0.1:1\n${base}`))).field).toBe('start.command');
    expect(configError(() => loadProfile(file('e.yml', `name: x\nstart: {mode: embedded}\nissuer: http://127.0.0.1:1\n${base}`))).field).toBe('issuer');
    expect(configError(() => loadProfile(file('q.yml', `name: x\nissuer: 'http://127.0.0.1:1/?a=b'\n${base}`))).field).toBe('issuer');
  });
  it('profile: a command target resolves argv, cwd, env and ready_timeout', () => {
    const p = loadProfile(file('cmd.yml', `name: x\nstart: {mode: command, command: [node, op.js, --port, '9091'], cwd: ./op, env: {A: b}, ready_timeout: 30s}\nissuer: http://127.0.0.1:9091\nlogin: {driver: form, selectors: {username: '#u', password: '#p', submit: '#s'}}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, ${CB}}]\n`));
    expect(p.start).toEqual({ mode: 'command', command: 'node', args: ['op.js', '--port', '9091'], cwd: path.join(path.dirname(p.file), 'op'), env: { A: 'b' }, readyTimeoutMs: 30000 });
    expect(p.login).toEqual({ driver: 'form', selectors: { username: '#u', password: '#p', submit: '#s' } });
  });
});

describe('durations', () => {
  it('parses every documented spelling and formats the shortest', () => {
    expect(['1h', '60m', '3600', '1 hour', '1hour'].map(parseDuration)).toEqual([3600, 3600, 3600, 3600, 3600]);
    expect(parseDuration('1w')).toBe(604800);
    expect(parseDuration('10s')).toBe(10);
    expect(() => parseDuration('soon')).toThrow(/duration/);
    expect(() => parseDuration('1h soon')).toThrow(/duration/);
    expect([5400, 60, 604800, 90061].map(formatDuration)).toEqual(['1h30m', '1m', '1w', '1d1h1m1s']);
  });
  it('the digest helper is exported from the importer too and round-trips', () => {
    expect(verifyDigest(hashClientSecretPbkdf2('x', Buffer.alloc(16, 2)), 'x')).toBe(true);
  });
  it("a '$plaintext$' secret is Authelia's stored-as-is secret: its plaintext, no client_secrets entry needed", () => {
    const { clients } = importAutheliaConfig(file('plaintext.yml', oidc(`clients: [{client_id: c, client_secret: '$plaintext$my_plain_secret', ${CB}}]`)));
    expect(clients[0]!.secret).toBe('my_plain_secret');
    expect(clients[0]!.sources.secret).toMatch(/\(plaintext, redacted\)$/);
    expect(clients[0]!.sources.secret).not.toContain('my_plain_secret');
  });
  it('deferred digest checks: loading goes on, settled() throws the same one-line ConfigError', async () => {
    const f = file('deferred.yml', oidc(`clients: [{client_id: a, client_secret: '${hashClientSecretPbkdf2('right', Buffer.alloc(16, 4), 1000)}', ${CB}}, {client_id: c, client_secret: '${hashClientSecretPbkdf2('right', Buffer.alloc(16, 5), 1000)}', ${CB}}]`));
    const ok = new DeferredDigests();
    importAutheliaConfig(f, { a: 'right', c: 'right' }, ok);
    await expect(ok.settled()).resolves.toBeUndefined();
    const bad = new DeferredDigests();
    expect(() => importAutheliaConfig(f, { a: 'right', c: 'wrong' }, bad)).not.toThrow();
    const e = await bad.settled().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).field).toBe('identity_providers.oidc.clients[1].client_secret');
    expect((e as ConfigError).problem).toMatch(/the plaintext given for c does not match the digest/);
  });
  it('a digest pbkdf2 cannot derive (0 rounds) is a one-line ConfigError, checked now or deferred', async () => {
    const f = file('zero-rounds.yml', oidc(`clients: [{client_id: c, client_secret: '$pbkdf2-sha512$0$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng', ${CB}}]`));
    expect(configError(() => importAutheliaConfig(f, { c: 'x' })).problem).toMatch(/the digest cannot be checked/);
    const deferred = new DeferredDigests();
    importAutheliaConfig(f, { c: 'x' }, deferred);
    const e = await deferred.settled().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problem).toMatch(/the digest cannot be checked/);
  });
  it('a digest verified once is remembered per plaintext: a wrong one is still refused', () => {
    const digest = hashClientSecretPbkdf2('right', Buffer.alloc(16, 3), 1000);
    expect(verifyDigest(digest, 'right')).toBe(true);
    expect(verifyDigest(digest, 'wrong')).toBe(false);
    expect(verifyDigest(digest, 'right')).toBe(true);
  });
});
