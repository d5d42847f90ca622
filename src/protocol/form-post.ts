// Authorization responses in response_mode=form_post (OAuth 2.0 Form Post Response Mode §2): the
// provider answers an HTML page (200, or 400 for an error) whose form posts code, state, error and
// iss to the redirect_uri, submitted by a script. Over raw HTTP such a page is the callback, not a
// page of the provider: a browser would be at the relying party a moment later.

import { parseHtml } from './html.ts';

/** Parameters an authorization response carries (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207; OIDC Core §3.2.2.5). */
const RESPONSE_PARAMS = new Set(['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'id_token', 'access_token', 'token_type', 'expires_in', 'session_state']);
/** At least one of these makes a form an authorization response. */
const CARRIES = ['code', 'error', 'id_token', 'access_token'];
/** An attribute naming one of CARRIES, quoted or not (a cheap test before parsing). */
const CARRIER_INPUT = /\bname\s*=\s*["']?(?:code|error|id_token|access_token)(?:["'\s/>]|$)/i;

export interface FormPostResponse {
  /** The form's action, resolved against the page URL. */
  action: URL;
  /** Its hidden inputs that belong to an authorization response. */
  params: URLSearchParams;
}

/** The form_post authorization response in `html`, if the page is one. */
export function formPostResponse(html: string, pageUrl: URL): FormPostResponse | undefined {
  // Most pages (every login and consent page) carry no input named as a response parameter: the
  // parse below, at a millisecond a page, is for those that might.
  if (!/<form/i.test(html) || !CARRIER_INPUT.test(html)) return undefined;
  const $ = parseHtml(html);
  for (const form of $('form').toArray()) {
    const $form = $(form);
    if (($form.attr('method') ?? 'get').toLowerCase() !== 'post') continue;
    const params = new URLSearchParams();
    $form.find('input[type="hidden" i][name]').each((_i, input) => {
      const name = $(input).attr('name')!;
      if (RESPONSE_PARAMS.has(name)) params.append(name, $(input).attr('value') ?? '');
    });
    if (!CARRIES.some((k) => params.has(k))) continue;
    let action: URL;
    try {
      action = new URL($form.attr('action') ?? pageUrl.href, pageUrl);
    } catch {
      continue;
    }
    return { action, params };
  }
  return undefined;
}

/** The callback a form_post page delivers to `redirectUri` (its parameters in the query, where
 *  the checks read a query or fragment response), or undefined when the page posts nothing there. */
export function formPostCallback(html: string, pageUrl: URL, redirectUri: string): URL | undefined {
  const found = formPostResponse(html, pageUrl);
  if (!found) return undefined;
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return undefined;
  }
  if (found.action.href !== target.href) return undefined;
  return asQuery(found);
}

/** The form's action with its response parameters in the query. */
export function asQuery(found: FormPostResponse): URL {
  const url = new URL(found.action);
  for (const [k, v] of found.params) url.searchParams.append(k, v);
  return url;
}
