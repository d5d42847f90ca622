// rp.openid-client.*: each flow's positive path driven through openid-client. The library
// checks what a certified relying party checks (state, iss, nonce, ID token claims, the token
// response's shape, userinfo's sub ...); a refusal fails with openid-client's own error.

import type { CheckDef, Evidence, HttpExchange } from '../model/check.ts';
import { fail } from './verdict.ts';

const SPEC = 'OIDC Core §3.1; RFC 6749; as openid-client (a certified relying-party library) enforces them';

export const rpLibraryChecks = {
  code: { id: 'rp.openid-client.code', title: 'openid-client completes the code flow (PKCE, state, nonce, ID token validation)', severity: 'failure', spec: SPEC },
  userinfo: { id: 'rp.openid-client.userinfo', title: 'openid-client reads userinfo (sub matching the ID token)', severity: 'failure', spec: 'OIDC Core §5.3; as openid-client enforces it' },
  refresh: { id: 'rp.openid-client.refresh', title: 'openid-client refreshes the tokens', severity: 'failure', spec: 'RFC 6749 §6; OIDC Core §12.2; as openid-client enforces them' },
  introspection: { id: 'rp.openid-client.introspection', title: 'openid-client introspects an active access token', severity: 'failure', spec: 'RFC 7662; as openid-client enforces it' },
  revocation: { id: 'rp.openid-client.revocation', title: 'openid-client revokes an access token', severity: 'failure', spec: 'RFC 7009; as openid-client enforces it' },
} satisfies Record<string, CheckDef>;

/** Fails with openid-client's refusal: its message, error code and the OAuth error it read. */
export function libraryRefused(step: string, err: unknown, exchanges: HttpExchange[]): never {
  const e = err as { message?: string; code?: string; error?: string; error_description?: string; cause?: unknown };
  const oauth = e.error ? `${e.error}${e.error_description ? ` (${e.error_description})` : ''}` : undefined;
  // openid-client's message is the kind ("unexpected JWT claim value encountered"); oauth4webapi's
  // error, its cause, says which claim and what was expected ('unexpected JWT "aud" (audience)
  // claim value', with { claim, expected, claims }).
  const cause = e.cause instanceof Error ? (e.cause as Error & { cause?: { claim?: unknown; expected?: unknown; claims?: Record<string, unknown> } }) : undefined;
  const claim = typeof cause?.cause?.claim === 'string' ? cause.cause.claim : undefined;
  const detail = cause?.message && cause.message !== e.message ? `: ${cause.message}${claim && cause.cause?.expected !== undefined ? ` (expected ${JSON.stringify(cause.cause.expected)}, got ${JSON.stringify(cause.cause.claims?.[claim])})` : ''}` : '';
  const evidence: Evidence[] = exchanges.map((http, i) => ({ label: `${i + 1}. openid-client ${http.request.method} ${new URL(http.request.url).pathname}`, http }));
  const last = exchanges.at(-1);
  const answered = last?.response ? ` (HTTP ${last.response.status}${last.response.headers?.['content-type'] ? `, ${last.response.headers['content-type']}` : ''} from ${new URL(last.request.url).pathname})` : '';
  return fail({
    message: `openid-client refused the ${step}: ${e.message ?? String(err)}${detail}${oauth && !String(e.message).includes(e.error!) ? `: ${oauth}` : ''}${answered}`,
    source: `openid-client${e.code ? ` ${e.code}` : ''} (panva/openid-client on oauth4webapi)`,
    expected: `the ${step} a certified relying-party library accepts`,
    observed: { message: e.message ?? String(err), ...(cause?.message ? { cause: cause.message } : {}), ...(claim ? { claim, expected: cause?.cause?.expected, value: cause?.cause?.claims?.[claim] } : {}), ...(e.code ? { openid_client_error: e.code } : {}), ...(oauth ? { oauth_error: oauth } : {}) },
    evidence: evidence.length ? evidence : [{ label: `openid-client ${step}`, data: { message: e.message ?? String(err) } }],
  });
}
