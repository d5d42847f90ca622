import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadProfile } from './profile.ts';
import { importAutheliaConfig } from './authelia.ts';
import { ConfigError } from './errors.ts';
import { tempFiles, thrown } from '../../test/thrown.ts';
import { parseDuration } from './duration.ts';
import { hashClientSecretPbkdf2, verifyDigest } from './digest.ts';

const REFERENCE = path.resolve(import.meta.dirname, '../../docker/reference');
const SEED_DIGEST = '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng';

const file = tempFiles('harness-config-');
const configError = (fn: () => unknown): ConfigError => thrown(ConfigError, fn);

const USERS = 'users: [{username: john, password: pw}]\n';

describe('the shipped reference target', () => {
  const p = loadProfile(REFERENCE);
  it('imports every client with its configured values', () => {
    expect(p.clients.map((c) => c.id)).toEqual(['rustdesk', 'proxmox', 'kasm', 'myapp', 'spa']);
    const [rustdesk, proxmox, kasm, myapp, spa] = p.clients;
    expect(rustdesk).toMatchObject({ name: 'RustDesk Server Pro', secret: 'insecure_secret', tokenEndpointAuthMethod: 'client_secret_basic', scopes: ['openid', 'email', 'profile'] });
    expect(proxmox).toMatchObject({ name: 'Proxmox', tokenEndpointAuthMethod: 'client_secret_basic', userinfoSignedResponseAlg: 'none' });
    expect(kasm).toMatchObject({ consentMode: 'implicit', scopes: ['openid', 'profile', 'groups', 'email'] });
    expect(myapp).toMatchObject({ consentMode: 'explicit', tokenEndpointAuthMethod: 'client_secret_post', grantTypes: ['authorization_code', 'refresh_token'] });
    expect(spa).toMatchObject({ public: true, tokenEndpointAuthMethod: 'none', requirePkce: true });
    expect(spa!.secret).toBeUndefined();
  });
  it('names where each value came from: the key as written, or an Authelia default', () => {
    const [, proxmox, kasm] = p.clients;
    expect(proxmox!.sources.name).toBe('configuration.yml: identity_providers.oidc.clients[1].description = Proxmox');
    expect(proxmox!.sources.userinfoSignedResponseAlg).toBe('configuration.yml: identity_providers.oidc.clients[1].userinfo_signing_algorithm = none');
    expect(kasm!.sources.tokenEndpointAuthMethod).toBe('Authelia default: token_endpoint_auth_method = client_secret_basic');
    expect(kasm!.grantTypes).toEqual(['authorization_code']);
    expect(p.provider.sources['lifespans.idToken']).toBe('configuration.yml: identity_providers.oidc.lifespans.id_token = 1h');
    expect(p.provider.lifespans).toEqual({ accessToken: 3600, idToken: 3600, refreshToken: 5400, authorizeCode: 60 });
  });
  it('is an embedded target with the embedded login driver and two users', () => {
    expect(p.start.mode).toBe('embedded');
    expect(p.login).toEqual({ driver: 'embedded' });
    expect(p.users.map((u) => u.username)).toEqual(['john', 'mary']);
  });
});

describe('Authelia key spellings and defaults', () => {
  it('old and new spellings give the same client', () => {
    const oldStyle = file('old.yml', `identity_providers:\n  oidc:\n    access_token_lifespan: 2h\n    clients:\n      - id: a\n        description: App\n        secret: plain-secret\n        sector_identifier: example.com\n        userinfo_signing_algorithm: RS256\n        redirect_uris: ['https://app.example.com/cb']\n`);
    const newStyle = file('new.yml', `identity_providers:\n  oidc:\n    lifespans:\n      access_token: 2h\n    clients:\n      - client_id: a\n        client_name: App\n        client_secret: plain-secret\n        sector_identifier_uri: example.com\n        userinfo_signed_response_alg: RS256\n        redirect_uris: ['https://app.example.com/cb']\n`);
    const a = importAutheliaConfig(oldStyle);
    const b = importAutheliaConfig(newStyle);
    // Where each came from differs (the file), not what it is.
    const strip = ({ entry: _entry, ...c }: (typeof a.clients)[number]) => ({ ...c, sources: {} });
    expect(strip(a.clients[0]!)).toEqual(strip(b.clients[0]!));
    expect(a.provider.lifespans.accessToken).toBe(7200);
    expect(b.provider.lifespans.accessToken).toBe(7200);
    expect(a.clients[0]).toMatchObject({ authorizationPolicy: 'two_factor', consentMode: 'auto', scopes: ['openid', 'groups', 'profile', 'email'], responseModes: ['form_post', 'query'], idTokenSignedResponseAlg: 'RS256' });
    expect(a.clients[0]!.sources.authorizationPolicy).toBe('Authelia default: authorization_policy = two_factor');
  });
});

describe('one-line errors naming file and field', () => {
  it('name the file relative to the folder the command was typed in (npm run starts in the package root; INIT_CWD is where it was typed)', () => {
    const saved = process.env.INIT_CWD;
    try {
      process.env.INIT_CWD = '/work/project';
      expect(new ConfigError('/work/project/docker/my/target.yml', 'issuer', 'not a URL').message).toBe('docker/my/target.yml: issuer: not a URL');
      expect(new ConfigError('/elsewhere/target.yml', 'issuer', 'not a URL').message).toBe('/elsewhere/target.yml: issuer: not a URL');
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
  });
  it('a missing file', () => {
    expect(configError(() => loadProfile(path.join(path.dirname(file('exists.yml', '')), 'none.yml'))).message).toMatch(/none\.yml: not found$/);
  });
  it('a YAML syntax error, with its line', () => {
    expect(configError(() => loadProfile(file('bad.yml', 'name: x\nusers: [\n'))).message).toMatch(/bad\.yml: \(yaml\): syntax error at line \d+/);
  });
  it('an unknown field in the profile', () => {
    const e = configError(() => loadProfile(file('unknown.yml', `name: x\nissuer: http://127.0.0.1:1\nlogin: {driver: embedded, color: red}\n${USERS}clients: [{client_id: c, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}]\n`)));
    expect(e.message).toMatch(/unknown\.yml: login\.color: unknown field$/);
    expect(e.field).toBe('login.color');
  });
  it('an unknown client key, with its index', () => {
    const e = configError(() => loadProfile(file('ck.yml', `name: x\nissuer: http://127.0.0.1:1\nlogin: {driver: embedded}\n${USERS}clients: [{client_id: c, client_secret: s, redirect_uri: 'http://127.0.0.1:2/cb'}]\n`)));
    expect(e.field).toBe('clients[0].redirect_uri');
  });
  it('endpoints discovery leaves out, and how introspection authenticates', () => {
    const body = (endpoints: string) => `name: x\nissuer: http://127.0.0.1:1\nlogin: {driver: embedded}\n${USERS}endpoints: ${endpoints}\nclients: [{client_id: c, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}]\n`;
    const p = loadProfile(file('ep.yml', body('{introspection_endpoint: http://127.0.0.1:1/introspect, introspection_endpoint_auth_method: client_secret_post}')));
    expect(p.endpoints).toEqual({ introspection_endpoint: 'http://127.0.0.1:1/introspect' });
    expect(p.introspectionAuthMethod).toBe('client_secret_post');
    expect(configError(() => loadProfile(file('ep-bad.yml', body('{introspection_endpoint_auth_method: private_key_jwt}')))).field).toBe('endpoints.introspection_endpoint_auth_method');
  });
  // Playwright could not parse it: every check of the run was an error, no file or field named.
  it('a login selector Playwright cannot parse, by the parser a locator uses (no browser launched)', () => {
    const body = (username: string) => `name: x\nissuer: http://127.0.0.1:1\nlogin: {driver: form, selectors: {username: ${JSON.stringify(username)}, password: '#password', submit: 'button[type=submit]', consent_accept: 'button:has-text("Allow")', otp: 'text=Code >> input'}}\n${USERS}clients: [{client_id: c, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}]\n`;
    const e = configError(() => loadProfile(file('sel.yml', body('###'))));
    expect(e.message).toMatch(/\/sel\.yml: login\.selectors\.username: not a selector/);
    expect(e.problem).toBe('not a selector Playwright can parse: Unexpected token "#" while parsing css selector "###". Did you mean to CSS.escape it?');
    expect(configError(() => loadProfile(file('sel.yml', body('input[name=')))).field).toBe('login.selectors.username');
    // CSS, Playwright's pseudo-classes, engines and chains are what it parses.
    expect(loadProfile(file('sel-ok.yml', body('#login-form input[name="user"]'))).login).toMatchObject({ driver: 'form', selectors: { username: '#login-form input[name="user"]', consentAccept: 'button:has-text("Allow")', otp: 'text=Code >> input' } });
  });
  it('a missing issuer for an already-running provider', () => {
    expect(configError(() => loadProfile(file('noissuer.yml', `name: x\nlogin: {driver: embedded}\n${USERS}clients: [{client_id: c, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}]\n`))).field).toBe('issuer');
  });
  it('a bad duration', () => {
    const cfg = file('dur.yml', `identity_providers:\n  oidc:\n    lifespans: {id_token: soon}\n    clients: [{client_id: c, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}]\n`);
    expect(configError(() => importAutheliaConfig(cfg)).field).toBe('identity_providers.oidc.lifespans.id_token');
  });
  it('a digest without its plaintext, and a plaintext that does not match', () => {
    const cfg = file('digest.yml', `identity_providers:\n  oidc:\n    clients: [{client_id: c, client_secret: '${SEED_DIGEST}', redirect_uris: ['http://127.0.0.1:2/cb']}]\n`);
    expect(configError(() => importAutheliaConfig(cfg)).message).toMatch(/clients\[0\]\.client_secret: c's secret is a digest: give its plaintext as client_secrets\.c/);
    expect(configError(() => importAutheliaConfig(cfg, { c: 'wrong' })).message).toMatch(/does not match the digest/);
    expect(importAutheliaConfig(cfg, { c: 'insecure_secret' }).clients[0]!.secret).toBe('insecure_secret');
  });
  it('Authelia rules: public with secret, confidential with none, bad scheme, duplicate ids', () => {
    const cases: Array<[string, string]> = [
      [`{client_id: c, public: true, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}`, 'clients[0].client_secret'],
      [`{client_id: c, client_secret: s, token_endpoint_auth_method: none, redirect_uris: ['http://127.0.0.1:2/cb']}`, 'clients[0].token_endpoint_auth_method'],
      [`{client_id: c, client_secret: s, redirect_uris: ['ftp://x/cb']}`, 'clients[0].redirect_uris[0]'],
      [`{client_id: c, client_secret: s, redirect_uris: ['urn:ietf:wg:oauth:2.0:oob']}`, 'clients[0].redirect_uris[0]'],
    ];
    for (const [entry, field] of cases) {
      const cfg = file('rule.yml', `identity_providers:\n  oidc:\n    clients: [${entry}]\n`);
      expect(configError(() => importAutheliaConfig(cfg)).field).toBe(`identity_providers.oidc.${field}`);
    }
    const dup = file('dup.yml', `identity_providers:\n  oidc:\n    clients: [{client_id: c, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}, {id: c, secret: t, redirect_uris: ['http://127.0.0.1:2/cb']}]\n`);
    expect(configError(() => importAutheliaConfig(dup)).message).toMatch(/duplicate client id c/);
    const pkce = file('pkce.yml', `identity_providers:\n  oidc:\n    enforce_pkce: sometimes\n    clients: [{client_id: c, client_secret: s, redirect_uris: ['http://127.0.0.1:2/cb']}]\n`);
    expect(configError(() => importAutheliaConfig(pkce)).field).toBe('identity_providers.oidc.enforce_pkce');
  });
});

describe('durations and digests', () => {
  it('parses Authelia durations', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('1 week')).toBe(604800);
    expect(parseDuration('2d')).toBe(172800);
    expect(parseDuration(30)).toBe(30);
    expect(() => parseDuration('1 fortnight')).toThrow(/unknown duration unit/);
  });
  it('verifies the seeds\' digest and round-trips a new one', () => {
    expect(verifyDigest(SEED_DIGEST, 'insecure_secret')).toBe(true);
    expect(verifyDigest(SEED_DIGEST, 'other')).toBe(false);
    const d = hashClientSecretPbkdf2('s3cret', Buffer.alloc(16, 7), 1000);
    expect(verifyDigest(d, 's3cret')).toBe(true);
    expect(verifyDigest('$argon2id$v=19$m=65536,t=3,p=4$abc$def', 'x')).toBeUndefined();
  });
});

describe('the shipped container targets', () => {
  const DOCKER = path.resolve(import.meta.dirname, '../../docker');

  it('docker/authelia: pinned image, TLS on its host name, a run key, TOTP through the CLI, the reference clients', () => {
    const p = loadProfile(path.join(DOCKER, 'authelia'));
    expect(p.start.mode).toBe('container');
    if (p.start.mode !== 'container') return;
    expect(p.start.image).toBe('authelia/authelia:4.39.20');
    expect(p.start.tls).toEqual({ hostname: 'auth.example.com', certificate: '/config/tls/server.crt', key: '/config/tls/server.key' });
    expect(p.issuer).toBe('https://auth.example.com:${PORT}');
    expect(p.start.files.map((f) => f.target)).toEqual(['/config/configuration.yml', '/config/users_database.yml', '/config/secrets/oidc_jwks.key']);
    expect(p.start.files[2]!.source).toEqual({ generate: 'rsa-private-key' });
    expect(p.start.provision.map((s) => ('exec' in s ? s.exec.slice(0, 7).join(' ') : '')).join('\n')).toMatch(/authelia storage user totp generate john --secret/);
    expect(p.clients.map((c) => c.id)).toEqual(['rustdesk', 'proxmox', 'kasm', 'myapp', 'spa']);
    expect(p.login).toEqual({ driver: 'provider', name: 'authelia' });
    // The same OIDC expectations as the reference: its configuration is that section verbatim.
    const ref = loadProfile(REFERENCE);
    expect(p.provider.lifespans).toEqual(ref.provider.lifespans);
    expect(p.clients.map((c) => c.consentMode)).toEqual(ref.clients.map((c) => c.consentMode));
  });

  it("reads Authelia's template expressions as opaque values", () => {
    const cfg = file('templated.yml', "identity_providers:\n  oidc:\n    hmac_secret: x\n    jwks:\n      - key: {{ secret \"/config/k\" | mindent 10 \"|\" | msquote }}\n    clients:\n      - client_id: a\n        public: true\n        authorization_policy: one_factor\n        redirect_uris: ['http://127.0.0.1:29999/cb']\n");
    expect(importAutheliaConfig(cfg, {}, false).clients.map((c) => c.id)).toEqual(['a']);
  });

  it('refuses a TLS container target whose issuer is on another host', () => {
    const f = file('tls-host.yml', `name: x\nissuer: https://other.example.com:\${PORT}\nstart: {mode: container, image: a/b:1, tls: {hostname: auth.example.com, certificate: /c, key: /k}}\nlogin: {driver: authelia}\n${USERS}clients: [{client_id: c, public: true, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\n`);
    expect(configError(() => loadProfile(f)).message).toMatch(/tls-host\.yml: issuer: must be on start\.tls\.hostname auth\.example\.com/);
  });

  it('docker/glewlwyd and docker/reference/container.yml load, with their expected-results file and port template', () => {
    const g = loadProfile(path.join(DOCKER, 'glewlwyd'));
    expect(g.expectedResults).toBe(path.join(DOCKER, 'glewlwyd/expected-results.json'));
    expect(g.issuer).toBe('http://127.0.0.1:${PORT}/api/oidc');
    expect(g.workers).toBe(1); // glewlwyd's sqlite answers 500 when two workers start together (target.yml)
    const r = loadProfile(path.join(DOCKER, 'reference/container.yml'));
    expect(r.start.mode === 'container' && r.start.command).toEqual(['--port', '${PORT}']);
  });
});

describe('provider folders', () => {
  const DOCKER = path.resolve(import.meta.dirname, '../../docker');
  it('a provider step in start.provision is validated by the provider that registers it', () => {
    const g = loadProfile(path.join(DOCKER, 'glewlwyd'));
    expect(g.start.mode === 'container' && g.start.provision).toEqual([{ step: 'glewlwyd_admin', args: { username: 'admin', password: 'password' } }]);
  });
  it('an unknown login driver or provision step names the field and what is known', () => {
    const file = tempFiles('harness-providers-');
    const base = 'name: x\nissuer: http://127.0.0.1:${PORT}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\n';
    expect(() => loadProfile(file('d.yml', `${base}login: {driver: keycloak}\nstart: {mode: url}\n`.replace('${PORT}', '1')))).toThrow(/login\.driver/);
    expect(() => loadProfile(file('s.yml', `${base}login: {driver: embedded}\nstart: {mode: container, image: a/b:1, provision: [{keycloak_admin: {}}]}\n`))).toThrow(/start\.provision\[0\].*unknown step keycloak_admin/);
  });
  it("a provider step's arguments are each required, of their declared type, and no others", () => {
    const file = tempFiles('harness-provision-args-');
    const profile = (args: string) => file('p.yml', `name: x\nissuer: http://127.0.0.1:\${PORT}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\nlogin: {driver: glewlwyd}\nstart: {mode: container, image: a/b:1, provision: [{glewlwyd_admin: ${args}}]}\n`);
    expect(() => loadProfile(profile('{username: admin}'))).toThrow(/start\.provision\[0\]\.glewlwyd_admin\.password/);
    expect(() => loadProfile(profile('{username: admin, password: 12}'))).toThrow(/start\.provision\[0\]\.glewlwyd_admin\.password/);
    expect(() => loadProfile(profile('{username: admin, password: p, realm: x}'))).toThrow(/start\.provision\[0\]\.glewlwyd_admin.*realm/);
    // A password of the wrong type is named, never repeated (the message reaches CI logs).
    expect(() => loadProfile(profile('{username: admin, password: 987654}'))).toThrow(/glewlwyd_admin\.password: expected a string, got number$/);
  });
  it('a totp_secret that is not base32 is one line naming the user, when the profile loads, and not repeated', () => {
    const file = tempFiles('harness-totp-');
    const p = (secret: string) => file('p.yml', `name: x\nissuer: http://127.0.0.1:1\nusers: [{username: a, password: b, totp_secret: '${secret}'}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\nlogin: {driver: embedded}\n`);
    const message = configError(() => loadProfile(p('not-base32!!'))).message;
    expect(message).toMatch(/users\[0\]\.totp_secret: not base32/);
    expect(message).not.toContain('not-base32!!');
    expect(configError(() => loadProfile(p(''))).message).toMatch(/users\[0\]\.totp_secret: not base32/);
    expect(loadProfile(p('jbsw y3dp ehpk 3pxp====')).users[0]!.totpSecret).toBe('jbsw y3dp ehpk 3pxp====');
  });
  // email_verified: 'yes' was taken as the expected value, and every claims check comparing it then
  // failed, blaming the provider.
  it("a user's standard claim of another JSON type than OIDC Core §5.1 gives it is one line naming the user, the claim and the type", () => {
    const file = tempFiles('harness-claim-types-');
    const p = (claims: string) => file('p.yml', `name: x\nissuer: http://127.0.0.1:1\nusers: [{username: a, password: b}, {username: c, password: d, claims: {${claims}}}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\nlogin: {driver: embedded}\n`);
    const error = configError(() => loadProfile(p("email_verified: 'yes'")));
    expect(error.message).toMatch(/^.*p\.yml: users\[1\]\.claims\.email_verified: is string "yes", expected a boolean$/);
    expect(error.field).toBe('users[1].claims.email_verified');
    expect(() => loadProfile(p('phone_number_verified: 1'))).toThrow(/users\[1\]\.claims\.phone_number_verified: is number 1, expected a boolean$/);
    expect(() => loadProfile(p("updated_at: '2024-01-01'"))).toThrow(/users\[1\]\.claims\.updated_at: is string "2024-01-01", expected a number \(seconds since the epoch\)$/);
    expect(() => loadProfile(p('address: Main St 1'))).toThrow(/users\[1\]\.claims\.address: is string "Main St 1", expected a JSON object$/);
    expect(() => loadProfile(p('address: {postal_code: 12345}'))).toThrow(/users\[1\]\.claims\.address: has non-string members postal_code/);
    expect(() => loadProfile(p('name: 42'))).toThrow(/users\[1\]\.claims\.name: is number 42, expected a string$/);
    expect(() => loadProfile(p('groups: admins'))).toThrow(/users\[1\]\.claims\.groups: is string "admins", expected an array of strings$/);
    expect(() => loadProfile(p('groups: [admins, 7]'))).toThrow(/users\[1\]\.claims\.groups: is a list, expected an array of strings$/);
    // The right types, and claims the standard does not type, load.
    const ok = loadProfile(p("email_verified: true, updated_at: 1700000000, address: {locality: Here}, groups: [admins], name: C, favourite_colour: 7"));
    expect(ok.users[1]!.claims).toMatchObject({ email_verified: true, updated_at: 1700000000, favourite_colour: 7 });
  });
  it("an inline client's lifespan names one of provider_options.lifespans.custom", () => {
    const file = tempFiles('harness-inline-lifespan-');
    const p = (name: string) => file('p.yml', `name: x\nissuer: http://127.0.0.1:1\n${USERS}provider_options: {lifespans: {custom: {short: {access_token: 1m}}}}\nclients: [{client_id: c, client_secret: s, lifespan: ${name}, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\nlogin: {driver: embedded}\n`);
    expect(configError(() => loadProfile(p('nosuch'))).message).toMatch(/p\.yml: clients\[0\]\.lifespan: no lifespans\.custom entry named nosuch \(named: short\)$/);
    expect(loadProfile(p('short')).clients[0]!.lifespan).toBe('short');
  });
  it('a secret of the wrong type is never repeated, also where only its map is named for secrets (client_secrets.<id>)', () => {
    const file = tempFiles('harness-secret-type-');
    const p = file('p.yml', 'name: x\nissuer: http://127.0.0.1:1\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\nclient_secrets: {c: 98765432101234}\n');
    const message = configError(() => loadProfile(p)).message;
    expect(message).toMatch(/client_secrets\.c: expected a string, got number$/);
    expect(message).not.toContain('98765432101234');
  });
  it('each start.provision entry is one step, and exec is the command as a list of strings', () => {
    const file = tempFiles('harness-provision-exec-');
    const profile = (entry: string) => file('p.yml', `name: x\nissuer: http://127.0.0.1:\${PORT}\nusers: [{username: a, password: b}]\nclients: [{client_id: c, client_secret: s, redirect_uris: ["http://127.0.0.1:29999/cb"]}]\nlogin: {driver: embedded}\nstart: {mode: container, image: a/b:1, provision: [${entry}]}\n`);
    expect(() => loadProfile(profile('{exec: ls -la}'))).toThrow(/start\.provision\[0\]\.exec: expected a list, got string "ls -la"/);
    expect(() => loadProfile(profile('{exec: []}'))).toThrow(/start\.provision\[0\]\.exec: the command and its arguments: at least the command/);
    expect(() => loadProfile(profile('{exec: [ls, 1]}'))).toThrow(/start\.provision\[0\]\.exec\[1\]: expected a string, got number 1/);
    expect(() => loadProfile(profile('{exec: [ls], glewlwyd_admin: {}}'))).toThrow(/start\.provision\[0\]: one step per entry \(exec, or a step a provider registers\), got exec, glewlwyd_admin/);
    expect(() => loadProfile(profile('glewlwyd_admin'))).toThrow(/start\.provision\[0\]: expected a mapping, got string/);
    const ok = loadProfile(profile('{exec: [ls, -la]}'));
    expect(ok.start.mode === 'container' && ok.start.provision).toEqual([{ exec: ['ls', '-la'] }]);
  });
});
