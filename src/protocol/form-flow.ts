// A code obtained over raw HTTP through server-rendered login and consent forms: milliseconds
// instead of a browser's hundreds. Returns undefined when a page needs the browser (JavaScript
// login apps, unknown pages), so the caller can fall back to it.

import type { FormLoginSelectors, LoginDriverSpec, TestUser } from '../model/target.ts';
import { providerModule } from '../providers/index.ts';
import { consentSubmission, loginSubmission, otpSubmission, pageKind, type FormSubmission, type PageKind } from './forms.ts';
import { totp } from '../browser/totp.ts';
import { HttpSession, submissionUrl, type FollowResult } from './session.ts';

export interface FormFlowOptions {
  selectors: FormLoginSelectors;
  user: TestUser;
  consent?: 'accept' | 'deny';
  /** Consent given with the page's "remember" option ticked. */
  remember?: boolean;
  /** A provider whose login page is a JavaScript app answered through its own API. */
  app?: AppDriver;
}

type Page = Extract<FollowResult, { kind: 'page' }>;

/** A login app driven over its JSON API: it recognises its own pages and answers them. */
export interface AppDriver {
  /** Whether the page at `url` is this app's (from the URL alone, no request). */
  owns(url: URL): boolean;
  /** What one of its pages asks of the user, read through the app's API. */
  kind(session: HttpSession, page: Page): Promise<PageKind>;
  /** Signs in and consents through the app's API; returns where the browser goes next,
   *  unfollowed, or undefined when it cannot (refused credentials, deny). */
  prepare(session: HttpSession, page: Page, options: FormFlowOptions): Promise<URL | undefined>;
}

/** The API driver for a login driver whose pages are a JavaScript app, where one exists. */
export function appDriverFor(spec: LoginDriverSpec): AppDriver | undefined {
  return spec.driver === 'provider' ? providerModule(spec.name).app : undefined;
}

/** What a page asks for: the app driver's view where it owns the page, else its forms. */
export async function kindOf(session: HttpSession, page: Page, options: FormFlowOptions): Promise<PageKind> {
  return options.app?.owns(page.url) ? options.app.kind(session, page) : pageKind(page.body, options.selectors);
}

const MAX_PAGES = 4;
const EVERY_PAGE: readonly PageKind[] = ['login', 'otp', 'consent'];

/** How the page-answering loop moves on, and which pages it answers. */
export interface Answering<R> {
  /** Requests `url` (posting `form`) and follows the provider's redirects as the caller watches
   *  them: to the redirect URI (HttpSession.follow), or while they stay on the provider's origin
   *  (HttpSession.followWithin). */
  go(url: URL, form?: Record<string, string>): Promise<R>;
  /** The pages answered (default: login, one-time password and consent); any other page, an
   *  error page or one these forms do not cover, ends the loop. */
  answer?: readonly PageKind[];
}

/** The one loop that answers the provider's pages over raw HTTP: login, second-factor and
 *  consent forms, or a login app through its API driver, until the provider redirects (to the
 *  redirect URI or off its origin, as `how.go` follows), or shows a page not to be answered. A
 *  second login page means the credentials were refused, and ends it too. Returns the last
 *  result; a page left for the browser (a JavaScript app without an API driver) is returned as is. */
export async function answerPagesWith<R extends { kind: string }>(session: HttpSession, first: R, options: FormFlowOptions, how: Answering<R>): Promise<R> {
  const answer = how.answer ?? EVERY_PAGE;
  // A login app's page is answered unless it is one of the kinds left alone (its API driver
  // knows its pages better than their kind says).
  const leftAlone = EVERY_PAGE.filter((k) => !answer.includes(k));
  let r = first;
  let logins = 0;
  for (let i = 0; i < MAX_PAGES && isPage(r) && r.status === 200; i++) {
    const page: Page = r;
    if (options.app?.owns(page.url)) {
      if (leftAlone.length && leftAlone.includes(await options.app.kind(session, page))) break;
      const next = await options.app.prepare(session, page, options);
      if (!next) break;
      r = await how.go(next);
      continue;
    }
    const kind = pageKind(page.body, options.selectors);
    if (!answer.includes(kind) || (kind === 'login' && logins++ > 0)) break;
    const sub = nextSubmission(page.body, page.url, options);
    if (!sub) break;
    const { url, form } = submissionUrl(sub);
    r = await how.go(url, form);
  }
  return r;
}

function isPage(r: { kind: string }): r is Page {
  return r.kind === 'page';
}

/** answerPagesWith, following to `redirectUri`. */
export function answerPages(session: HttpSession, first: FollowResult, redirectUri: string, options: FormFlowOptions): Promise<FollowResult> {
  return answerPagesWith(session, first, options, { go: (url, form) => session.follow(url, redirectUri, form) });
}

/** How a user answers this page (login, one-time password or consent), or undefined for any other page. */
export function nextSubmission(html: string, url: URL, options: FormFlowOptions): FormSubmission | undefined {
  const secret = options.user.totpSecret;
  switch (pageKind(html, options.selectors)) {
    case 'login':
      return loginSubmission(html, url, options.selectors, options.user);
    case 'otp':
      return secret ? otpSubmission(html, url, options.selectors, totp(secret)) : undefined;
    case 'consent':
      return consentSubmission(html, url, options.selectors, options.consent ?? 'accept', options.remember);
    default:
      return undefined;
  }
}

export async function continueOverHttp(session: HttpSession, first: FollowResult, redirectUri: string, options: FormFlowOptions): Promise<URL | undefined> {
  const r = await answerPages(session, first, redirectUri, options);
  return r.kind === 'callback' ? r.url : undefined;
}

/** The whole authorization over raw HTTP; throws when a page needs a browser. */
export async function codeOverHttp(session: HttpSession, authorizationUrl: URL, redirectUri: string, options: FormFlowOptions): Promise<URL> {
  const url = await continueOverHttp(session, await session.follow(authorizationUrl, redirectUri), redirectUri, options);
  if (!url) throw new Error(`no redirect to ${redirectUri} over raw HTTP (a page needs the browser)`);
  return url;
}

export { HttpSession };
