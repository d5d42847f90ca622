// Checks of the provider's real login and consent pages, driven in a fresh browser context.

import type { CheckDef } from '../model/check.ts';
import { fail } from './verdict.ts';

export const loginChecks = {
  ui: { id: 'login.ui-login-consent', title: 'a user signs in and consents through the real pages and lands on the relying party', severity: 'failure', spec: 'OIDC Core §3.1.2.3-3.1.2.5' },
  wrongPassword: { id: 'login.wrong-password-refused', title: 'a wrong password keeps the user on the login page', severity: 'failure', spec: 'OIDC Core §3.1.2.3' },
  secondFactor: { id: 'login.second-factor', title: 'a two_factor client takes the user through the second-factor page', severity: 'failure', spec: 'configuration: clients[].authorization_policy' },
  deny: { id: 'login.consent-deny', title: 'denying consent sends access_denied with state to the relying party', severity: 'failure', spec: 'OIDC Core §3.1.2.6; RFC 6749 §4.1.2.1' },
} satisfies Record<string, CheckDef>;

/** `consentExpected`: the request said prompt=consent to a client whose consent_mode shows consent. */
export function checkLanded(url: URL, redirectUri: string, state: string, steps: string[], consentExpected = false): void {
  const problems: string[] = [];
  if (!url.href.startsWith(redirectUri)) problems.push(`landed on ${url.origin}${url.pathname}`);
  if (!url.searchParams.get('code')) problems.push(url.searchParams.get('error') ? `error ${url.searchParams.get('error')}` : 'no code');
  if (url.searchParams.get('state') !== state) problems.push('state not echoed');
  if (!steps.includes('login')) problems.push('no login page was shown to a fresh browser');
  if (consentExpected && !steps.includes('consent')) problems.push('no consent page was shown although prompt=consent was sent');
  if (problems.length === 0) return;
  fail({ message: `the browser login did not complete: ${problems.join('; ')}`, expected: `${redirectUri}?code=…&state=…`, observed: problems, evidence: [{ label: 'browser', data: { steps, landed: `${url.origin}${url.pathname}`, params: [...url.searchParams.keys()] } }] });
}

export function checkStayedOnLogin(sawRedirect: boolean, loginVisible: boolean, pageUrl: string): void {
  if (!sawRedirect && loginVisible) return;
  fail({
    message: sawRedirect ? 'a wrong password sent the browser to the relying party' : 'after a wrong password the login form is gone',
    expected: 'the login page again, with an error',
    observed: { redirectedToClient: sawRedirect, loginFormVisible: loginVisible },
    evidence: [{ label: 'browser', data: { page: pageUrl } }],
  });
}

export function checkDenied(url: URL, state: string, steps: string[]): void {
  if (!steps.includes('consent')) {
    // Nothing was denied: a verdict on access_denied would be about a page nobody saw.
    fail({
      message: 'no consent page was shown although prompt=consent was sent, so consent could not be denied',
      source: 'OIDC Core §3.1.2.1: prompt=consent: the Authorization Server SHOULD prompt the End-User for consent',
      expected: 'a consent page with a deny control',
      observed: { steps, landed: `${url.origin}${url.pathname}` },
    });
  }
  const error = url.searchParams.get('error');
  if (error === 'access_denied' && url.searchParams.get('state') === state && !url.searchParams.get('code')) return;
  fail({
    message: `denying consent gave ${error ? `error ${error}` : url.searchParams.get('code') ? 'a code' : 'no error'}`,
    source: 'OIDC Core §3.1.2.6',
    expected: 'error=access_denied with the state',
    observed: { error, state: url.searchParams.get('state') === state ? 'echoed' : 'missing or wrong', code: url.searchParams.has('code') },
    evidence: [{ label: 'browser', data: { landed: `${url.origin}${url.pathname}`, params: [...url.searchParams.keys()] } }],
  });
}

export function checkSecondFactorStep(steps: string[], url: URL, redirectUri: string, source: string): void {
  if (steps.includes('otp') && url.href.startsWith(redirectUri) && url.searchParams.get('code')) return;
  fail({
    message: steps.includes('otp') ? 'after the second factor the browser did not land on the relying party with a code' : 'no second-factor page was shown to a fresh browser for a two_factor client',
    source,
    expected: 'login, then the one-time password page, then the relying party',
    observed: { steps, landed: `${url.origin}${url.pathname}` },
  });
}
