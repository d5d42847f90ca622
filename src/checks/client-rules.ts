// Per-client rules from the configuration: response types and modes, consent mode, and the
// minimum entropy of state and nonce. (Grant types and token_endpoint_auth_method are checked by
// the refresh and code-flow suites.)

import type { CheckDef, HttpExchange } from '../model/check.ts';
import type { ClientSpec } from '../model/target.ts';
import { fail, skip } from './verdict.ts';
import { isErrorPage, type PageKind } from '../protocol/forms.ts';
import { skipUnrecognisedPage, type FrontRefusal } from './code-flow.ts';

export const clientRuleChecks = {
  responseType: { id: 'client.response-type-restricted', title: 'a response_type the client is not allowed is refused', severity: 'failure', spec: 'RFC 6749 §4.1.2.1 (unauthorized_client); configuration: clients[].response_types' },
  responseMode: { id: 'client.response-mode-restricted', title: 'a response_mode the client is not allowed is refused', severity: 'failure', spec: 'OAuth 2.0 Multiple Response Types §2.1; configuration: clients[].response_modes' },
  consentMode: { id: 'client.consent-mode', title: 'consent is asked, or not, as consent_mode says', severity: 'failure', spec: 'OIDC Core §3.1.2.4; configuration: clients[].consent_mode' },
  twoFactor: { id: 'client.two-factor', title: 'a two_factor client gets no code on a one-factor session', severity: 'failure', spec: 'configuration: clients[].authorization_policy; OIDC Core §3.1.2.3' },
  stateEntropy: { id: 'client.state-entropy', title: 'a state shorter than minimum_parameter_entropy is refused', severity: 'failure', spec: 'configuration: minimum_parameter_entropy; RFC 6749 §10.12' },
  nonceEntropy: { id: 'client.nonce-entropy', title: 'a nonce shorter than minimum_parameter_entropy is refused', severity: 'failure', spec: 'configuration: minimum_parameter_entropy; OIDC Core §15.5.2' },
} satisfies Record<string, CheckDef>;

/** Parameters of an authorization response, wherever the provider put them (query or fragment). */
export function responseParams(url: URL): URLSearchParams {
  const params = new URLSearchParams(url.search);
  for (const [k, v] of new URLSearchParams(url.hash.replace(/^#/, ''))) params.set(k, v);
  return params;
}

export const RESPONSE_TYPES = ['code', 'id_token', 'token', 'code id_token', 'code token', 'id_token token', 'code id_token token'];
export const RESPONSE_MODES = ['query', 'fragment', 'form_post'];

/** What a refused front-channel request looks like: an error (redirect or page), never a credential. */
export function checkFrontRefused(outcome: FrontRefusal, detail: { message: string; source: string; sent: Record<string, string> }): void {
  const params = outcome.callback ? responseParams(outcome.callback) : new URLSearchParams();
  const credential = ['code', 'id_token', 'access_token'].filter((k) => params.has(k));
  if (credential.length === 0 && !params.has('error')) skipUnrecognisedPage(outcome, `the request (${Object.entries(detail.sent).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  if (credential.length === 0 && (params.has('error') || outcome.pageUrl)) return;
  fail({
    message: detail.message,
    source: detail.source,
    expected: 'an error (redirect with error, or the provider\'s error page)',
    observed: credential.length ? `issued ${credential.join(', ')}` : 'no error',
    evidence: [{ label: 'authorization response', data: { sent: detail.sent, params: [...params.keys()], page: outcome.pageUrl?.pathname, status: outcome.status } }],
  });
}

/** Whether the client should be asked for consent on a second authorization in the same session. */
export function consentExpected(client: ClientSpec): boolean | undefined {
  if (client.consentMode === 'pre-configured') return undefined;
  if (client.consentMode === 'implicit') return false;
  if (client.consentMode === 'explicit' || client.consentMode === 'auto') return true;
  return undefined;
}

/** `exchange`: the provider's answer to the second authorization, the evidence. */
export function checkConsentMode(client: ClientSpec, askedAgain: boolean, pageUrl: string | undefined, exchange?: HttpExchange): void {
  const expected = consentExpected(client);
  if (expected === askedAgain) return;
  fail({
    message: expected ? `${client.id} got a code without being asked for consent again` : `${client.id} was asked for consent although consent_mode is implicit`,
    source: client.sources.consentMode ?? `consent_mode = ${client.consentMode}`,
    expected: expected ? 'the consent page on every authorization' : 'no consent page',
    observed: askedAgain ? `a consent page (${pageUrl ?? '?'})` : 'a code straight away',
    evidence: exchange ? [{ label: 'the answer to a second authorization in the same session', http: exchange }] : [{ label: 'second authorization in the same session (in the browser)', data: { consentPage: askedAgain, page: pageUrl ?? '(none)' } }],
  });
}

/** Where an authorization for a two_factor client ended on a one-factor session: the client (a
 *  callback), or a page of the provider and what it asks of the user. */
export type SecondFactorOutcome =
  | { kind: 'callback'; url: URL }
  | { kind: 'page'; url: URL; status: number; body: string; pageKind: PageKind };

/** After signing in with one factor (consent answered), an authorization for a two_factor client
 *  must give the client no code, and stop at the second-factor page or an error (an error
 *  redirect, or the provider's error page recognised as such). Any other page is "cannot tell". */
export function checkSecondFactorDemanded(result: SecondFactorOutcome, client: ClientSpec): void {
  const source = client.sources.authorizationPolicy ?? 'authorization_policy = two_factor';
  if (result.kind === 'page') {
    if (result.pageKind === 'otp' || isErrorPage(result.status, result.body, result.pageKind)) return;
    skip(`cannot tell whether ${client.id} demands a second factor: on a one-factor session the provider shows ${result.pageKind === 'unknown' ? 'a page that is neither a second-factor page nor an error page' : `its ${result.pageKind} page`} (HTTP ${result.status} at ${result.url.origin}${result.url.pathname})`);
  }
  const params = responseParams(result.url);
  if (!params.has('code') && params.has('error')) return;
  if (!params.has('code')) skip(`cannot tell whether ${client.id} demands a second factor: the provider sent the browser to ${result.url.origin}${result.url.pathname} with neither a code nor an error (${[...params.keys()].join(', ') || 'no parameters'})`);
  fail({
    message: `${client.id} got a code on a session signed in with one factor only`,
    source,
    expected: 'the second-factor page, or an error',
    observed: `a redirect to ${result.url.origin}${result.url.pathname} with ${[...params.keys()].join(', ')}`,
    evidence: [{ label: 'authorization response (one-factor session, consent answered)', data: { redirect: `${result.url.origin}${result.url.pathname}`, params: [...params.keys()] } }],
  });
}

export function checkRememberedConsent(client: ClientSpec, seen: { first: boolean; again: boolean; otherScopes: boolean; afterExpiry?: boolean }): void {
  const problems: string[] = [];
  if (seen.afterExpiry === false) problems.push('not asked again after pre_configured_consent_duration');
  if (!seen.first) problems.push('no consent page the first time');
  if (seen.again) problems.push('asked again for the same scopes after "remember"');
  if (!seen.otherScopes) problems.push('not asked for a different set of scopes');
  if (problems.length === 0) return;
  fail({
    message: `pre-configured consent for ${client.id}: ${problems.join('; ')}`,
    source: `${client.sources.consentMode ?? 'consent_mode = pre-configured'}; ${client.sources.preConfiguredConsentDuration ?? 'pre_configured_consent_duration'}`,
    expected: { first: 'consent page', again: 'no consent page', otherScopes: 'consent page', ...(seen.afterExpiry !== undefined ? { afterExpiry: 'consent page' } : {}) },
    observed: seen,
    evidence: [{ label: 'consent pages seen: first request, the same scopes again, other scopes' + (seen.afterExpiry !== undefined ? ', after the duration' : ''), data: seen }],
  });
}
