// A code obtained over raw HTTP through server-rendered login and consent forms: milliseconds
// instead of a browser's hundreds. Returns undefined when a page needs the browser (JavaScript
// login apps, unknown pages), so the caller can fall back to it.

import type { FormLoginSelectors, TestUser } from '../model/target.ts';
import { consentSubmission, loginSubmission, otpSubmission, pageKind } from './forms.ts';
import { totp } from '../browser/totp.ts';
import { HttpSession, type FollowResult } from './session.ts';

export interface FormFlowOptions {
  selectors: FormLoginSelectors;
  user: TestUser;
  consent?: 'accept' | 'deny';
}

const MAX_PAGES = 4;

export async function continueOverHttp(session: HttpSession, first: FollowResult, redirectUri: string, options: FormFlowOptions): Promise<URL | undefined> {
  let r = first;
  let logins = 0;
  for (let i = 0; i < MAX_PAGES && r.kind === 'page'; i++) {
    if (r.status !== 200) return undefined;
    const kind = pageKind(r.body, options.selectors);
    const secret = options.user.totpSecret;
    const sub =
      kind === 'login' && logins++ === 0
        ? loginSubmission(r.body, r.url, options.selectors, options.user)
        : kind === 'otp' && secret
          ? otpSubmission(r.body, r.url, options.selectors, totp(secret))
          : kind === 'consent'
            ? consentSubmission(r.body, r.url, options.selectors, options.consent ?? 'accept')
            : undefined;
    if (!sub) return undefined;
    r = await session.submit(sub, redirectUri);
  }
  return r.kind === 'callback' ? r.url : undefined;
}

/** The whole authorization over raw HTTP; throws when a page needs a browser. */
export async function codeOverHttp(session: HttpSession, authorizationUrl: URL, redirectUri: string, options: FormFlowOptions): Promise<URL> {
  const url = await continueOverHttp(session, await session.follow(authorizationUrl, redirectUri), redirectUri, options);
  if (!url) throw new Error(`no redirect to ${redirectUri} over raw HTTP (a page needs the browser)`);
  return url;
}

export { HttpSession };
