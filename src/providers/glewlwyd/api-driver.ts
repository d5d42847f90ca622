// glewlwyd's login page is a JavaScript app (login.html?callback_url=...) that signs in, grants
// scopes and continues through glewlwyd's own JSON API. Over raw HTTP the driver makes the same
// calls the page makes: POST api/auth/ (sign in), PUT api/auth/grant/<client> (consent), then the
// callback_url with g_continue. It reads the page's state the same way the page does (a 401 from
// api/profile_list means signed out; api/auth/grant/<client>/<scope> tells what is granted).

import type { PageKind } from '../../protocol/forms.ts';
import type { FollowResult, HttpSession } from '../../protocol/session.ts';
import type { AppDriver, FormFlowOptions } from '../../protocol/form-flow.ts';

type Page = Extract<FollowResult, { kind: 'page' }>;

interface LoginPage {
  api: URL;
  clientId: string;
  scope: string;
  callback: URL;
}

export function glewlwydLoginPage(url: URL): LoginPage | undefined {
  if (!url.pathname.endsWith('/login.html')) return undefined;
  const callback = url.searchParams.get('callback_url');
  const clientId = url.searchParams.get('client_id');
  if (!callback || !clientId) return undefined;
  return { api: new URL('api/', new URL('.', url)), clientId, scope: url.searchParams.get('scope') ?? '', callback: new URL(callback, url) };
}

async function signedIn(session: HttpSession, page: LoginPage): Promise<boolean> {
  return (await session.api('GET', new URL('profile_list', page.api))).status === 200;
}

async function ungranted(session: HttpSession, page: LoginPage): Promise<string[]> {
  const res = await session.api('GET', new URL(`auth/grant/${encodeURIComponent(page.clientId)}/${encodeURIComponent(page.scope)}`, page.api));
  const scopes = (res.json as { scope?: Array<{ name?: string; granted?: boolean }> } | undefined)?.scope ?? [];
  return scopes.filter((s) => s.granted === false && s.name).map((s) => s.name!);
}

export const glewlwydDriver: AppDriver = {
  owns: (url) => glewlwydLoginPage(url) !== undefined,

  async kind(session: HttpSession, r: Page): Promise<PageKind> {
    const page = glewlwydLoginPage(r.url);
    if (!page) return 'unknown';
    if (!(await signedIn(session, page))) return 'login';
    return (await ungranted(session, page)).length ? 'consent' : 'unknown';
  },

  async prepare(session: HttpSession, r: Page, options: FormFlowOptions): Promise<URL | undefined> {
    const page = glewlwydLoginPage(r.url);
    if (!page) return undefined;
    if (!(await signedIn(session, page))) {
      const res = await session.api('POST', new URL('auth/', page.api), { username: options.user.username, password: options.user.password });
      if (res.status !== 200) return undefined;
    }
    const missing = await ungranted(session, page);
    if (missing.length) {
      // glewlwyd's page has no "deny": a user who refuses just leaves.
      if (options.consent === 'deny') return undefined;
      const granted = page.scope.split(' ').filter(Boolean).join(' ');
      const res = await session.api('PUT', new URL(`auth/grant/${encodeURIComponent(page.clientId)}`, page.api), { scope: granted });
      if (res.status !== 200) return undefined;
    }
    const next = new URL(page.callback);
    next.searchParams.set('g_continue', '');
    return next;
  },
};
