// Server-rendered login and consent forms answered over raw HTTP: the form around the driver's
// selector is found with a real HTML parser (cheerio) and submitted with its hidden fields, the
// way a browser would post it. Pages that need JavaScript are left to the browser.

import type { CheerioAPI } from 'cheerio';
import { parseHtml } from './html.ts';
import type { FormLoginSelectors, TestUser } from '../model/target.ts';

export interface FormSubmission {
  action: URL;
  method: 'GET' | 'POST';
  fields: Record<string, string>;
}

export type PageKind = 'login' | 'otp' | 'consent' | 'unknown';

let last: { html: string; $: CheerioAPI } | undefined;

/** The page parsed, read-only: a page is read several times in a row (its kind, then its form),
 *  and parsing it is most of the cost of answering it. */
function parsed(html: string): CheerioAPI {
  if (last?.html !== html) last = { html, $: parseHtml(html) };
  return last.$;
}

function formAround($: CheerioAPI, selector: string, base: URL): { form: ReturnType<CheerioAPI>; submission: FormSubmission } | undefined {
  const el = $(selector).first();
  if (el.length === 0) return undefined;
  const form = el.is('form') ? el : el.closest('form');
  if (form.length === 0) return undefined;
  const fields: Record<string, string> = {};
  form.find('input[name]').each((_i, input) => {
    const $input = $(input);
    const type = ($input.attr('type') ?? 'text').toLowerCase();
    if ((type === 'checkbox' || type === 'radio') && $input.attr('checked') === undefined) return;
    if (type === 'submit' || type === 'image' || type === 'button') return;
    fields[$input.attr('name')!] = $input.attr('value') ?? '';
  });
  const method = (form.attr('method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  return { form, submission: { action: new URL(form.attr('action') ?? base.href, base), method, fields } };
}

export function pageKind(html: string, selectors: FormLoginSelectors): PageKind {
  const $ = parsed(html);
  // A browser-only selector (Playwright's :has-text, text=...) finds nothing in raw HTML.
  const found = (sel: string | undefined) => {
    if (!sel) return false;
    try {
      return $(sel).length > 0;
    } catch {
      return false;
    }
  };
  if (found(selectors.username) && found(selectors.password)) return 'login';
  if (found(selectors.otp)) return 'otp';
  if (found(selectors.consentAccept)) return 'consent';
  return 'unknown';
}

/** The login form filled with `user`, or undefined when the page has none. */
export function loginSubmission(html: string, url: URL, selectors: FormLoginSelectors, user: TestUser): FormSubmission | undefined {
  const $ = parsed(html);
  const found = formAround($, selectors.username, url);
  if (!found) return undefined;
  const name = (sel: string) => $(sel).first().attr('name');
  const u = name(selectors.username);
  const p = name(selectors.password);
  if (!u || !p) return undefined;
  const submit = $(selectors.submit).first();
  return { ...found.submission, fields: { ...found.submission.fields, [u]: user.username, [p]: user.password, ...(submit.attr('name') ? { [submit.attr('name')!]: submit.attr('value') ?? '' } : {}) } };
}

/** The consent form behind the accept (or deny) button, or undefined when the page has none. */
export function consentSubmission(html: string, url: URL, selectors: FormLoginSelectors, answer: 'accept' | 'deny', remember = false): FormSubmission | undefined {
  const selector = answer === 'accept' ? selectors.consentAccept : selectors.consentDeny;
  if (!selector) return undefined;
  const $ = parsed(html);
  const found = formAround($, selector, url);
  if (!found) return undefined;
  const button = $(selector).first();
  const formaction = button.attr('formaction');
  // Ticking "remember" is what a user does for a pre-configured consent.
  const box = remember && selectors.consentRemember ? found.form.find(selectors.consentRemember).first() : undefined;
  const ticked = box?.attr('name') ? { [box.attr('name')!]: box.attr('value') ?? 'on' } : {};
  return {
    ...found.submission,
    ...(formaction ? { action: new URL(formaction, url) } : {}),
    fields: { ...found.submission.fields, ...ticked, ...(button.attr('name') ? { [button.attr('name')!]: button.attr('value') ?? '' } : {}) },
  };
}

/** The second-factor form filled with `code`, or undefined when the page has none. */
export function otpSubmission(html: string, url: URL, selectors: FormLoginSelectors, code: string): FormSubmission | undefined {
  if (!selectors.otp) return undefined;
  const $ = parsed(html);
  const found = formAround($, selectors.otp, url);
  const name = $(selectors.otp).first().attr('name');
  if (!found || !name) return undefined;
  return { ...found.submission, fields: { ...found.submission.fields, [name]: code } };
}

/** Words by which a page says it refuses something. */
const ERROR_WORDS = /\b(error|invalid|not allowed|not permitted|denied|forbidden|unauthori[sz]ed|mismatch(?:ed)?|unknown client|not registered)\b/i;

/** Whether a page of the provider is, recognisably, its error page: a page the driver does not
 *  take for login, second factor or consent (`kind` 'unknown'), answered with a 4xx status, or
 *  with 200 and text that mentions an error. Anything else (a login or consent page left
 *  unanswered, a neutral page, a 5xx) is not a refusal the harness can vouch for. */
export function isErrorPage(status: number, html: string, kind: PageKind): boolean {
  if (kind !== 'unknown') return false;
  if (status >= 400 && status < 500) return true;
  if (status !== 200) return false;
  return ERROR_WORDS.test(visibleText(html));
}

/** The text a person reads on the page (title and body, without scripts and styles). */
function visibleText(html: string): string {
  const $ = parseHtml(html);
  $('script, style, noscript, template').remove();
  return `${$('title').text()} ${$('body').text()}`.replace(/\s+/g, ' ').trim();
}
