// glewlwyd support without glewlwyd: the provisioning mapped from a profile's clients, and the
// raw-HTTP driver against a stand-in that answers glewlwyd's login API the way the packaged 2.7
// does (recorded on a real instance: 401 from profile_list when signed out, grant lists with
// `granted` flags, login.html?client_id&scope&callback_url, g_continue).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationTypes, clientBody, pluginParameters, unexpressed } from '../src/providers/glewlwyd/provision.ts';
import { glewlwydDriver, glewlwydLoginPage } from '../src/providers/glewlwyd/api-driver.ts';
import { answerPages, kindOf } from '../src/protocol/form-flow.ts';
import { HttpSession } from '../src/protocol/session.ts';
import { GLEWLWYD_SELECTORS } from '../src/providers/glewlwyd/browser-driver.ts';
import { loadProfile } from '../src/config/profile.ts';
import { ROOT } from '../src/cli/run.ts';
import path from 'node:path';

const profile = loadProfile(path.join(ROOT, 'docker/glewlwyd'), { verifyDigests: false });
const byId = (id: string) => profile.clients.find((c) => c.id === id)!;

describe('glewlwyd provisioning from the profile', () => {
  it('maps grant and response types to authorization_type', () => {
    expect(authorizationTypes(byId('myapp')).sort()).toEqual(['code', 'refresh_token']);
    expect(authorizationTypes(byId('proxmox'))).toEqual(['code']);
  });
  it('sends the plaintext secret, the auth method and the redirect URIs of each client', () => {
    const body = clientBody(byId('myapp'));
    expect(body).toMatchObject({ client_id: 'myapp', confidential: true, password: 'insecure_secret', token_endpoint_auth_method: ['client_secret_post'] });
    expect(body.redirect_uri).toEqual(byId('myapp').redirectUris);
    expect(clientBody(byId('proxmox'))).toMatchObject({ token_endpoint_auth_method: ['client_secret_basic'] });
    expect(clientBody(byId('spa'))).toMatchObject({ confidential: false, token_endpoint_auth_method: ['none'] });
    expect(clientBody(byId('spa'))).not.toHaveProperty('password');
  });
  it('sets the plugin lifespans from the configuration', () => {
    const p = pluginParameters(profile, 'http://127.0.0.1:1/api/oidc', { key: 'k', cert: 'c' });
    expect(p['access-token-duration']).toBe(profile.provider.lifespans.accessToken);
    expect(p['refresh-token-duration']).toBe(profile.provider.lifespans.refreshToken);
    expect(p['code-duration']).toBe(profile.provider.lifespans.authorizeCode);
    expect(p.iss).toBe('http://127.0.0.1:1/api/oidc');
  });
  it('says what glewlwyd cannot express instead of hiding it', () => {
    const notes = unexpressed(profile).join('\n');
    expect(notes).toMatch(/two-factor.*kasm/);
    expect(notes).toMatch(/consent/);
  });
});

/** A stand-in for glewlwyd's login API: one user, grants kept per client. */
function standIn(): http.Server {
  const granted = new Map<string, Set<string>>();
  let signedIn = false;
  return http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (url.pathname === '/api/oidc/auth') {
        const client = url.searchParams.get('client_id')!;
        const scope = url.searchParams.get('scope')!;
        const all = scope.split(' ').every((s) => s === 'openid' || granted.get(client)?.has(s));
        if (signedIn && all && url.searchParams.has('g_continue')) {
          res.writeHead(302, { location: `${url.searchParams.get('redirect_uri')}?code=c0de&state=${url.searchParams.get('state')}` });
        } else {
          const login = new URL('http://x/login.html');
          login.searchParams.set('client_id', client);
          login.searchParams.set('scope', scope);
          login.searchParams.set('callback_url', `http://${req.headers.host}${req.url}`);
          res.writeHead(302, { location: `${login.pathname}${login.search}` });
        }
        return res.end();
      }
      if (url.pathname === '/login.html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<div id="root">Loading...</div><script src="login.js"></script>');
      }
      if (url.pathname === '/api/profile_list') return signedIn ? json(200, [{ username: 'john' }]) : json(401, {});
      if (url.pathname === '/api/auth/' && req.method === 'POST') {
        const { username, password } = JSON.parse(body) as { username: string; password: string };
        if (username === 'john' && password === 'pw-john-1234') {
          signedIn = true;
          res.setHeader('set-cookie', 'GLEWLWYD2_SESSION_ID=s1; Path=/');
          return json(200, {});
        }
        return json(401, {});
      }
      const grant = url.pathname.match(/^\/api\/auth\/grant\/([^/]+)(?:\/(.*))?$/);
      if (grant && req.method === 'GET') {
        if (!signedIn) return json(401, {});
        const scopes = decodeURIComponent(grant[2] ?? '').split(' ');
        return json(200, { scope: scopes.map((name) => ({ name, granted: name === 'openid' || !!granted.get(grant[1]!)?.has(name) })) });
      }
      if (grant && req.method === 'PUT') {
        granted.set(grant[1]!, new Set((JSON.parse(body) as { scope: string }).scope.split(' ')));
        return json(200, {});
      }
      json(404, {});
    });
  });
}

describe('glewlwyd driver over raw HTTP', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = standIn();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const user = { username: 'john', password: 'pw-john-1234', claims: {} };
  const auth = () => new URL(`${base}/api/oidc/auth?client_id=myapp&scope=openid%20profile&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&state=st4te-abcdef`);

  it('recognises the login app page and nothing else', () => {
    expect(glewlwydLoginPage(new URL(`${base}/login.html?client_id=a&scope=openid&callback_url=${encodeURIComponent(`${base}/api/oidc/auth?x=1`)}`))).toBeDefined();
    expect(glewlwydLoginPage(new URL(`${base}/login.html`))).toBeUndefined();
    expect(glewlwydLoginPage(new URL(`${base}/other.html?client_id=a&callback_url=x`))).toBeUndefined();
  });

  it('refuses wrong credentials: stays on the login page', async () => {
    const s = new HttpSession();
    const first = await s.follow(auth(), 'http://127.0.0.1:1/cb');
    const r = await answerPages(s, first, 'http://127.0.0.1:1/cb', { selectors: GLEWLWYD_SELECTORS, user: { ...user, password: 'wrong-password' }, app: glewlwydDriver });
    expect(r.kind).toBe('page');
    if (r.kind === 'page') expect(await kindOf(s, r, { selectors: GLEWLWYD_SELECTORS, user, app: glewlwydDriver })).toBe('login');
  });

  it('signs in, grants and continues to the redirect URI; consent is not asked again', async () => {
    const s = new HttpSession();
    const first = await s.follow(auth(), 'http://127.0.0.1:1/cb');
    expect(first.kind).toBe('page');
    if (first.kind !== 'page') return;
    const options = { selectors: GLEWLWYD_SELECTORS, user, app: glewlwydDriver };
    expect(await kindOf(s, first, options)).toBe('login');
    const r = await answerPages(s, first, 'http://127.0.0.1:1/cb', options);
    expect(r.kind).toBe('callback');
    if (r.kind === 'callback') expect(r.url.searchParams.get('state')).toBe('st4te-abcdef');
    const again = await s.follow(auth(), 'http://127.0.0.1:1/cb');
    if (again.kind === 'page') expect(await kindOf(s, again, options)).toBe('unknown');
  });

  it('does not consent when asked to deny (glewlwyd has no deny)', async () => {
    const s = new HttpSession();
    const req = new URL(auth());
    req.searchParams.set('client_id', 'other');
    const r = await answerPages(s, await s.follow(req, 'http://127.0.0.1:1/cb'), 'http://127.0.0.1:1/cb', { selectors: GLEWLWYD_SELECTORS, user, consent: 'deny', app: glewlwydDriver });
    expect(r.kind).toBe('page');
  });
});
