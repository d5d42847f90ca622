// Every report, log line and attachment passes through a Redactor: the known secrets of the
// profile are replaced wherever they appear, and anything shaped like a credential is replaced
// even when nobody told us about it (codes and tokens minted by the provider during the run).

import type { TargetProfile } from '../model/target.ts';

export const REDACTED = '[REDACTED]';

/** Shorter secrets would match ordinary words all over the report. */
const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  text(s: string): string;
  /** Deep copy of `v` with every string redacted; the input is not modified. */
  value<T>(v: T): T;
}

/** Parameters whose value is a credential, in query strings, form bodies and JSON bodies. */
const SECRET_PARAMS = ['code', 'access_token', 'refresh_token', 'id_token', 'client_secret', 'password', 'code_verifier', 'token'];
/** Object keys redacted in structured values, beyond the parameters (camelCase model fields). */
const SECRET_KEYS = new Set([...SECRET_PARAMS, 'secret', 'clientSecret', 'totpSecret', 'totp_secret', 'accessToken', 'refreshToken', 'idToken', 'codeVerifier']);

/** Schemes we trust to be followed by a credential in free text, where "authorization: denied" may be prose. */
const AUTH_SCHEMES = /^(basic|bearer|dpop|digest|negotiate|ntlm|token|mac|hoba|mutual|aws4-hmac-sha256|gnap)$/i;

const B64URL = '[A-Za-z0-9_-]';
// JWE (5 segments, encrypted key may be empty) first, so it is not cut after its third segment.
const JWT = new RegExp(
  `\\beyJ${B64URL}+\\.${B64URL}*\\.${B64URL}+\\.${B64URL}+\\.${B64URL}+|\\beyJ${B64URL}+\\.${B64URL}+\\.${B64URL}*`,
  'g',
);
// The name must not be the tail of a longer name (response_type=code keeps `code` as a value,
// token_type_hint is not token), hence the lookbehind and the `=` right after the name.
const PARAM = new RegExp(`(?<![\\w.\\-=])(${SECRET_PARAMS.join('|')})=([^&#\\s"'<>\\\\,;]+)`, 'gi');
const JSON_STRING = '"((?:[^"\\\\]|\\\\.)*)"';
const JSON_PARAM = new RegExp(`"(${SECRET_PARAMS.join('|')})"(\\s*:\\s*)${JSON_STRING}`, 'gi');
const JSON_HEADER = new RegExp(`"((?:proxy-)?authorization|set-cookie|cookie)"(\\s*:\\s*)${JSON_STRING}`, 'gi');
// Header values stop at quotes, '<' and backslashes so a pass over HTML or JSON output never eats markup.
const HEADER_LINE = /(?<![\w-])((?:proxy-)?authorization|set-cookie|cookie)([ \t]*:[ \t]*)([^\r\n"<\\]*)/gi;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The spellings a secret takes on the wire: raw, percent-encoded, form-encoded, inside a JSON string. */
function spellings(secret: string): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  return [secret, encodeURIComponent(secret), form, JSON.stringify(secret).slice(1, -1)];
}

/** `Bearer abc` -> `Bearer [REDACTED]`; a bare credential is replaced whole. */
function authorizationValue(value: string, strict: boolean): string {
  const m = /^(\s*)([A-Za-z][\w-]*)(\s+)(\S.*)$/s.exec(value);
  if (m) {
    const [, lead, scheme, gap, rest] = m as unknown as [string, string, string, string, string];
    if (strict || AUTH_SCHEMES.test(scheme)) return rest === REDACTED ? value : `${lead}${scheme}${gap}${REDACTED}`;
    return value;
  }
  const bare = value.trim();
  if (bare === '' || bare === REDACTED || AUTH_SCHEMES.test(bare)) return value;
  return strict || bare.length >= 8 ? value.replace(bare, REDACTED) : value;
}

/** `a=1; b=2` -> `a=[REDACTED]; b=[REDACTED]`: names stay, they tell which cookie was sent. */
function cookieValue(value: string): string {
  return value.replace(/(^|;)(\s*[^;=\s]+\s*=\s*)([^;]*)/g, (all, sep: string, name: string, v: string) =>
    v.trim() === '' ? all : `${sep}${name}${REDACTED}`,
  );
}

/** Only the first pair of each cookie is its value; Path, Secure, SameSite ... are evidence. Several
 *  cookies may be joined with commas; Expires dates contain commas too, but never `name=` after one. */
function setCookieValue(value: string): string {
  return value.replace(/(^|,)(\s*[^;=,\s]+\s*=\s*)([^;,]*)/g, (all, sep: string, name: string, v: string) =>
    v.trim() === '' ? all : `${sep}${name}${REDACTED}`,
  );
}

function headerValue(name: string, value: string, strict: boolean): string {
  const n = name.toLowerCase();
  if (n === 'cookie') return cookieValue(value);
  if (n === 'set-cookie') return setCookieValue(value);
  return authorizationValue(value, strict);
}

function isHeaderName(name: string): boolean {
  return /^((proxy-)?authorization|cookie|set-cookie)$/i.test(name);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const literals = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH).flatMap(spellings))]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret that contains another one is replaced whole.
    .sort((a, b) => b.length - a.length);
  const known = literals.length > 0 ? new RegExp(literals.map(escapeRegExp).join('|'), 'g') : undefined;

  const text = (s: string): string => {
    if (typeof s !== 'string' || s === '') return s;
    let out = known ? s.replace(known, REDACTED) : s;
    out = out.replace(JWT, REDACTED);
    out = out.replace(PARAM, (_all, name: string) => `${name}=${REDACTED}`);
    out = out.replace(JSON_PARAM, (_all, name: string, colon: string) => `"${name}"${colon}"${REDACTED}"`);
    out = out.replace(JSON_HEADER, (_all, name: string, colon: string, v: string) => `"${name}"${colon}"${headerValue(name, v, true)}"`);
    out = out.replace(HEADER_LINE, (_all, name: string, colon: string, v: string) => `${name}${colon}${headerValue(name, v, false)}`);
    return out;
  };

  const walk = (v: unknown, seen: WeakMap<object, unknown>): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) {
      if (seen.has(v)) return seen.get(v);
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(walk(item, seen));
      return out;
    }
    if (isPlainObject(v)) {
      if (seen.has(v)) return seen.get(v);
      const out: Record<string, unknown> = {};
      seen.set(v, out);
      for (const [key, item] of Object.entries(v)) {
        out[text(key)] = redactEntry(key, item, seen);
      }
      return out;
    }
    if (v instanceof Error) return walk({ name: v.name, message: v.message }, seen);
    return v;
  };

  const redactEntry = (key: string, item: unknown, seen: WeakMap<object, unknown>): unknown => {
    if (isHeaderName(key)) {
      if (typeof item === 'string') return headerValue(key, text(item), true);
      if (Array.isArray(item)) return item.map((x) => (typeof x === 'string' ? headerValue(key, text(x), true) : walk(x, seen)));
    }
    if (typeof item === 'string' && item !== '' && SECRET_KEYS.has(key)) return REDACTED;
    return walk(item, seen);
  };

  return {
    text,
    value<T>(v: T): T {
      return walk(v, new WeakMap()) as T;
    },
  };
}

function base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Every secret the profile holds, plus the Basic credentials built from them (RFC 6749 §2.3.1
 *  form-encodes id and secret before base64, some clients do not: both spellings). */
export function knownSecrets(profile: TargetProfile): string[] {
  const out = new Set<string>();
  const add = (s: string | undefined): void => {
    if (s && s.length >= MIN_SECRET_LENGTH) out.add(s);
  };
  for (const user of profile.users) {
    add(user.password);
    add(user.totpSecret);
  }
  for (const client of profile.clients) {
    if (!client.secret || client.secret.length < MIN_SECRET_LENGTH) continue;
    add(client.secret);
    const form = (s: string): string => new URLSearchParams({ s }).toString().slice(2);
    add(base64(`${client.id}:${client.secret}`));
    add(base64(`${form(client.id)}:${form(client.secret)}`));
  }
  return [...out];
}
