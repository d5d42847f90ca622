// Redirect-URI rejection: near-misses of each registered URI must get an error page from the
// provider, never a redirect (not even an error redirect) to the unregistered URI.

import type { CheckDef } from '../model/check.ts';
import type { ClientSpec } from '../model/target.ts';
import type { StayResult } from '../protocol/session.ts';
import { isErrorPage, type PageKind } from '../protocol/forms.ts';
import { fail, skip } from './verdict.ts';

const SPEC = 'RFC 6749 §3.1.2.4, §4.1.2.1; OIDC Core §3.1.2.1 (exact match); RFC 9700 §4.1.3';

export interface Variant {
  name: string;
  title: string;
  /** The redirect_uri to send; undefined omits the parameter. */
  uri: string | undefined;
}

export const OOB = 'urn:ietf:wg:oauth:2.0:oob';

function withPort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** Near-misses of `registered`, each as the raw string a relying party (or attacker) would send. */
export function variants(registered: string): Array<Variant | { name: string; title: string; skip: string }> {
  const url = new URL(registered);
  const origin = `${url.protocol}//${url.host}`;
  const rest = registered.slice(origin.length);
  const path = url.pathname;
  const caseChanged = path !== path.toUpperCase() ? `${origin}${path.toUpperCase()}${url.search}` : undefined;
  const sep = url.search ? '&' : '?';
  return [
    { name: 'unregistered', title: 'an unregistered URI', uri: 'https://rp.invalid/callback' },
    caseChanged
      ? { name: 'case-changed', title: 'the path in another case', uri: caseChanged }
      : { name: 'case-changed', title: 'the path in another case', skip: `the path of ${registered} has no letters to change` },
    { name: 'scheme-changed', title: 'the other scheme', uri: `${url.protocol === 'https:' ? 'http' : 'https'}://${url.host}${rest}` },
    { name: 'host-changed', title: 'another host', uri: `${url.protocol}//${url.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}${url.port ? `:${url.port}` : ''}${rest}` },
    { name: 'port-changed', title: 'another port', uri: `${url.protocol}//${url.hostname}:${withPort(url) + 1}${rest}` },
    { name: 'extra-segment', title: 'an extra path segment', uri: `${origin}${path.replace(/\/$/, '')}/extra${url.search}` },
    { name: 'path-traversal', title: 'a path traversal', uri: `${origin}${path.replace(/\/$/, '')}/../../evil${url.search}` },
    { name: 'appended-query', title: 'an appended query', uri: `${registered}${sep}next=https%3A%2F%2Frp.invalid` },
    { name: 'prefix-match', title: 'a URI that merely starts with the registered one', uri: `${registered.replace(/\/$/, '')}evil` },
    { name: 'userinfo', title: 'userinfo in the authority', uri: `${url.protocol}//evil@${url.host}${rest}` },
    { name: 'fragment', title: 'a fragment', uri: `${registered}#fragment` },
    { name: 'missing', title: 'no redirect_uri at all', uri: undefined },
  ];
}

export function redirectCheck(name: string, title: string): CheckDef {
  // Without a redirect_uri, OAuth 2.0 lets a provider use the sole registered one (RFC 6749
  // §3.1.2.3) while OIDC Core requires the parameter: a deviation, not a hole.
  if (name === 'missing') return { id: 'redirect-uri.missing', title: 'a request without redirect_uri is rejected', severity: 'warning', spec: 'OIDC Core §3.1.2.1 (redirect_uri REQUIRED); RFC 6749 §3.1.2.3' };
  return { id: `redirect-uri.${name}`, title: `${title} is rejected with an error page`, severity: 'failure', spec: SPEC };
}

export const oobCheck: CheckDef = { id: 'redirect-uri.oob', title: 'the out-of-band URN only for public clients', severity: 'failure', spec: 'Authelia: public clients may use urn:ietf:wg:oauth:2.0:oob' };
export const errorPageCheck: CheckDef = { id: 'redirect-uri.error-page', title: 'the browser stays on the provider\'s error page for an unregistered URI', severity: 'failure', spec: SPEC };

/** `sent` must not have been redirected to, and the provider must say no with its own error
 *  page, recognised as such (forms.ts isErrorPage): a login or consent page left unanswered, or
 *  a page that does not say error, is "cannot tell", never a rejection. */
export function checkRejected(result: StayResult, sent: string | undefined, client: ClientSpec, issuerOrigin: string): void {
  if (result.kind === 'page' && result.url.origin === issuerOrigin && result.status < 500) {
    const kind = result.pageKind ?? 'unknown';
    if (isErrorPage(result.status, result.body, kind)) return;
    skip(`cannot tell whether redirect_uri ${sent === undefined ? '(missing)' : JSON.stringify(sent)} was rejected: the provider sent nothing to it but stayed on ${kind === 'unknown' ? 'a page that is not recognisably an error page' : `its ${kind} page`} (HTTP ${result.status} at ${result.url.pathname}; expected an error page: 4xx, or a page mentioning an error)`);
  }
  const left = result.kind === 'left';
  let where = left ? result.location : result.url.href;
  let params: string[] = [];
  try {
    const u = new URL(where);
    params = [...u.searchParams.keys()];
    where = `${u.origin}${u.pathname}`;
  } catch {
    // not a URL: shown as sent
  }
  fail({
    message: left
      ? `the provider ${result.formPost ? 'posted a form (form_post)' : 'redirected'} to ${where}${params.length ? ` with ${params.join(', ')}` : ''} for redirect_uri ${sent === undefined ? '(missing)' : JSON.stringify(sent)}`
      : `the provider answered HTTP ${result.status} for redirect_uri ${JSON.stringify(sent)}`,
    // A request without redirect_uri is refused by OIDC Core, whatever the registered URIs are.
    source: sent === undefined ? 'OIDC Core §3.1.2.1: redirect_uri is REQUIRED' : `${client.sources.redirectUris ?? `redirect_uris of ${client.id}`}: exact, case-sensitive match`,
    expected: sent === undefined ? 'an error page on the provider, no redirect (the request has no redirect_uri)' : 'an error page on the provider, no Location to the unregistered URI',
    observed: left ? { status: result.status, location: where, params } : { status: result.status, page: where },
    evidence: result.exchange ? [{ label: "the provider's answer to the authorization request", http: result.exchange }] : [{ label: 'seen in the browser', data: { status: result.status, [left ? 'location' : 'page']: where } }],
  });
}

export function checkStayedOnProvider(pageUrl: string, sawRequestTo: string | undefined, issuerOrigin: string, sent: string): void {
  if (!sawRequestTo && new URL(pageUrl).origin === issuerOrigin) return;
  fail({
    message: sawRequestTo ? `the browser was sent to ${sawRequestTo.split('?')[0]}` : `the browser left the provider for ${new URL(pageUrl).origin}`,
    source: SPEC,
    expected: `an error page on ${issuerOrigin}`,
    observed: { page: pageUrl.split('?')[0], requested: sawRequestTo?.split('?')[0] ?? '(nothing)', redirect_uri: sent },
  });
}

/** What the signed-in browser shows for an unregistered redirect_uri must be the provider's error
 *  page: a login, second-factor or consent page (the request not judged yet), or a page that does
 *  not say error, is "cannot tell". `status` is undefined when Chromium showed its own page for
 *  an error status without a body. */
export function checkErrorPageShown(shown: { kind: PageKind; status: number | undefined; html: string; url: string }, sent: string): void {
  const where = shown.url.split('?')[0];
  if (shown.kind !== 'unknown') skip(`cannot tell whether redirect_uri ${sent} was rejected: with the browser signed in, the provider shows its ${shown.kind} page (${where}), not an error page`);
  if (shown.status === undefined || isErrorPage(shown.status, shown.html, 'unknown')) return;
  skip(`cannot tell whether redirect_uri ${sent} was rejected: the browser stayed on ${where} (HTTP ${shown.status}), a page that is not recognisably an error page (neither 4xx nor mentioning an error)`);
}
