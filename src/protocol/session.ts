// An established login session replayed over raw HTTP: the browser's cookies in a cookie jar,
// redirects followed by hand until the provider sends the browser to the redirect_uri. A check that
// only needs a code gets it in milliseconds this way; a page on the way (consent, login) means the
// browser is needed after all.

import { CookieJar } from 'tough-cookie';
import { send, type RawResponse } from '../http/exchange.ts';
import type { HttpExchange } from '../model/check.ts';
import type { FormSubmission, PageKind } from './forms.ts';
import { asQuery, formPostCallback, formPostResponse } from './form-post.ts';

export interface BrowserCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
}

/** `exchange`: the provider's last answer (the redirect, or the page), as evidence; absent where
 *  the browser, not raw HTTP, saw it. */
export type StayResult =
  /** A redirect off the provider, or a form_post page posting to another origin (`formPost`). */
  | { kind: 'left'; location: string; status: number; formPost?: boolean; exchange?: HttpExchange }
  /** `pageKind`: what the page asks of the user, where the caller could tell. */
  | { kind: 'page'; url: URL; status: number; body: string; pageKind?: PageKind; exchange?: HttpExchange };

/** `exchange`: the provider's last answer (the redirect to the callback, or the page), as evidence. */
export type FollowResult =
  | { kind: 'callback'; url: URL; exchange?: HttpExchange }
  | { kind: 'page'; url: URL; status: number; body: string; exchange?: HttpExchange };

const MAX_HOPS = 10;
/** 9999-12-31T23:59:59Z, the latest expiry Playwright's addCookies takes (seconds). */
const MAX_COOKIE_EXPIRES = 253402300799;

export class HttpSession {
  readonly jar = new CookieJar(undefined, { allowSpecialUseDomain: true, looseMode: true });

  async addBrowserCookies(cookies: BrowserCookie[]): Promise<void> {
    for (const c of cookies) {
      const host = c.domain.replace(/^\./, '');
      const url = `${c.secure ? 'https' : 'http'}://${host}${c.path}`;
      await this.jar.setCookie(`${c.name}=${c.value}; Path=${c.path}${c.secure ? '; Secure' : ''}`, url, { ignoreError: true });
    }
  }

  /** The jar's cookies as a browser context takes them (Playwright's `addCookies`): a login made
   *  here, handed to a fresh browser context, instead of typing it again. Host-only cookies stay
   *  host-only (no leading dot); a cookie's expiry, flags and SameSite go with it. */
  async toBrowserCookies(): Promise<Array<BrowserCookie & { expires?: number; sameSite?: 'Strict' | 'Lax' | 'None' }>> {
    const cookies = await this.jar.store.getAllCookies();
    return cookies.flatMap((c) => {
      if (!c.domain) return [];
      // Chromium refuses SameSite=None without Secure; such a cookie goes as the browser's default.
      const sameSite = { strict: 'Strict', lax: 'Lax', ...(c.secure ? { none: 'None' } : {}) }[String(c.sameSite ?? '').toLowerCase()] as 'Strict' | 'Lax' | 'None' | undefined;
      // Max-Age and Expires alike; undefined (session cookie) for Infinity. A cookie the provider
      // deleted (Max-Age=0, an Expires in the past) stays deleted; an expiry beyond the year 9999,
      // which Playwright refuses, is held to it.
      const expiry = c.expiryTime();
      if (expiry !== undefined && expiry <= Date.now()) return [];
      const expires = expiry !== undefined && Number.isFinite(expiry) ? Math.min(Math.floor(expiry / 1000), MAX_COOKIE_EXPIRES) : undefined;
      return [{ name: c.key, value: c.value, domain: c.hostOnly === false ? `.${c.domain}` : c.domain, path: c.path ?? '/', secure: c.secure, httpOnly: c.httpOnly, ...(sameSite ? { sameSite } : {}), ...(expires !== undefined ? { expires } : {}) }];
    });
  }

  /** One request as a browser makes it: the jar's cookies out, Set-Cookie back into the jar. */
  private async request(url: URL, form?: Record<string, string>): Promise<RawResponse> {
    return this.send(url, form ? { form } : {});
  }

  /** A JSON API call with the session's cookies, as a provider's own login app makes it. */
  api(method: 'GET' | 'POST' | 'PUT', url: URL, body?: unknown): Promise<RawResponse> {
    return this.send(url, { method, accept: 'application/json', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  }

  private async send(url: URL, o: { form?: Record<string, string>; method?: string; accept?: string; body?: string }): Promise<RawResponse> {
    const cookie = await this.jar.getCookieString(url.href);
    const headers: Record<string, string> = { accept: o.accept ?? 'text/html', ...(cookie ? { cookie } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) };
    const res = await send({ url, headers, ...(o.form ? { form: o.form } : {}), ...(o.method ? { method: o.method } : {}), ...(o.body !== undefined ? { body: o.body } : {}) });
    const setCookie = res.exchange.response?.headers?.['set-cookie'];
    if (setCookie) for (const line of splitSetCookie(setCookie)) await this.jar.setCookie(line, url.href, { ignoreError: true });
    return res;
  }

  /** GET `start` and follow redirects while they stay on `origin`; report the first that leaves it. */
  async followWithin(start: URL, origin: string, form?: Record<string, string>): Promise<StayResult> {
    let url = start;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const res = await this.request(url, hop === 0 ? form : undefined);
      const { exchange } = res;
      const location = res.headers.location;
      if (res.status < 300 || res.status >= 400 || !location) {
        // A form_post answer leaves the provider as surely as a redirect does.
        const posted = formPostResponse(res.text, url);
        if (posted && posted.action.origin !== origin) return { kind: 'left', location: asQuery(posted).href, status: res.status, formPost: true, exchange };
        return { kind: 'page', url, status: res.status, body: res.text, exchange };
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return { kind: 'left', location, status: res.status, exchange };
      }
      if (next.origin !== origin) return { kind: 'left', location, status: res.status, exchange };
      url = next;
    }
    throw new Error(`more than ${MAX_HOPS} redirects from ${start.origin}`);
  }

  /** Submits a form as a browser would, then follows redirects as `follow` does. */
  submit(sub: FormSubmission, redirectUri: string): Promise<FollowResult> {
    const { url, form } = submissionUrl(sub);
    return this.follow(url, redirectUri, form);
  }

  /** GET `start` (or POST `form` to it) and follow redirects until one points at `redirectUri`. */
  async follow(start: URL, redirectUri: string, form?: Record<string, string>): Promise<FollowResult> {
    let url = start;
    let exchange: HttpExchange | undefined;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      if (url.href.startsWith(redirectUri)) return { kind: 'callback', url, ...(exchange ? { exchange } : {}) };
      const res = await this.request(url, hop === 0 ? form : undefined);
      exchange = res.exchange;
      const location = res.headers.location;
      if (res.status < 300 || res.status >= 400 || !location) {
        // response_mode=form_post: the page posting the response to redirectUri is the callback.
        const posted = formPostCallback(res.text, url, redirectUri);
        if (posted) return { kind: 'callback', url: posted, exchange };
        return { kind: 'page', url, status: res.status, body: res.text, exchange };
      }
      url = new URL(location, url);
    }
    throw new Error(`more than ${MAX_HOPS} redirects from ${start.origin}`);
  }
}

export function submissionUrl(sub: FormSubmission): { url: URL; form?: Record<string, string> } {
  if (sub.method === 'POST') return { url: sub.action, form: sub.fields };
  const url = new URL(sub.action);
  for (const [k, v] of Object.entries(sub.fields)) url.searchParams.set(k, v);
  return { url };
}

// undici joins repeated Set-Cookie headers with ", "; split on commas that start a new cookie.
function splitSetCookie(joined: string): string[] {
  return joined.split(/,(?=\s*[^;,=\s]+=)/).map((s) => s.trim());
}
