// A code obtained over raw HTTP through server-rendered login and consent forms: milliseconds
// instead of a browser's hundreds. Returns undefined when a page needs the browser (JavaScript
// login apps, unknown pages), so the caller can fall back to it.

import type { FormLoginSelectors, LoginDriverSpec, TestUser } from '../model/target.ts';
import { providerModule } from '../providers/index.ts';
import { consentSubmission, loginSubmission, otpSubmission, pageKind, type FormSubmission, type PageKind } from './forms.ts';
import { totp } from '../browser/totp.ts';
import { HttpSession, type FollowResult } from './session.ts';

export interface FormFlowOptions {
  selectors: FormLoginSelectors;
  user: TestUser;
  consent?: 'accept' | 'deny';
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

/** Answers login, second-factor and consent pages until the provider sends the browser to
 *  `redirectUri` or shows a page these forms do not cover (an error page, or a JavaScript app). */
export async function answerPages(session: HttpSession, first: FollowResult, redirectUri: string, options: FormFlowOptions): Promise<FollowResult> {
  let r = first;
  let logins = 0;
  for (let i = 0; i < MAX_PAGES && r.kind === 'page' && r.status === 200; i++) {
    if (options.app?.owns(r.url)) {
      const next = await options.app.prepare(session, r, options);
      if (!next) break;
      r = await session.follow(next, redirectUri);
      continue;
    }
    // A second login page means the credentials were refused: stop there.
    if (pageKind(r.body, options.selectors) === 'login' && logins++ > 0) break;
    const sub = nextSubmission(r.body, r.url, options);
    if (!sub) break;
    r = await session.submit(sub, redirectUri);
  }
  return r;
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
      return consentSubmission(html, url, options.selectors, options.consent ?? 'accept');
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
