// Kasm Workspaces: Python, OIDC through requests-oauthlib and oauthlib (tracebacks in
// kasmtech/workspaces-images#134, linuxserver/docker-kasm#51, kasmtech/workspaces-issues#894).
// No discovery and no JWKS setting: the administrator types the authorization, token and
// userinfo URLs, and identity comes from the userinfo answer. oauthlib's token response checks
// are what a provider breaks.

import type { RpModel } from './types.ts';

const OAUTHLIB = 'oauthlib/oauthlib';

const split = (scope: string): Set<string> => new Set(scope.trim().split(' '));

export const kasm: RpModel = {
  name: 'kasm',
  title: 'Kasm Workspaces',
  basicEncoding: { encoding: 'raw', source: 'requests/requests-oauthlib:requests_oauthlib/oauth2_session.py#L335-344 (requests HTTPBasicAuth(client_id, client_secret))' },
  rules: [
    {
      id: 'kasm.scope-changed',
      title: 'a token response whose scope is another set than was requested (oauthlib raises "Scope has changed" unless OAUTHLIB_RELAX_TOKEN_SCOPE is set; Kasm answers HTTP 500). Kasm 1.19 was also reported failing on a reordered scope (kasmtech/workspaces-issues#894)',
      step: 'token',
      source: `${OAUTHLIB}:oauthlib/oauth2/rfc6749/parameters.py#L458-472, tokens.py#L22-40, utils.py#L31`,
      check: (o) => {
        const scope = o.tokenResponse.body.scope;
        // Absent: oauthlib takes the requested scope (RFC 6749 §5.1), which is safe.
        if (scope === undefined) return undefined;
        const got = typeof scope === 'string' ? split(scope) : undefined;
        const asked = split(o.requestedScope);
        if (got && got.size === asked.size && [...asked].every((s) => got.has(s))) return undefined;
        return { expected: `scope absent or the requested set ${JSON.stringify(o.requestedScope)}`, observed: { scope }, fix: 'grant every requested scope to this client (a scope the client may not have, or one the provider adds such as offline_access, changes the set)' };
      },
    },
    {
      id: 'kasm.access-token',
      title: 'a token response without access_token (oauthlib MissingTokenError)',
      step: 'token',
      source: `${OAUTHLIB}:oauthlib/oauth2/rfc6749/parameters.py#L418-453; https://github.com/linuxserver/docker-kasm/issues/51`,
      check: (o) => (typeof o.tokenResponse.body.access_token === 'string' ? undefined : { expected: 'access_token, a string', observed: { access_token: o.tokenResponse.body.access_token === undefined ? '(absent)' : typeof o.tokenResponse.body.access_token } }),
    },
    {
      id: 'kasm.expires-in',
      title: 'expires_in that is not a number or a numeric string (oauthlib: "expires_in must be an int")',
      step: 'token',
      source: `${OAUTHLIB}:oauthlib/oauth2/rfc6749/parameters.py#L474-506`,
      check: (o) => {
        const e = o.tokenResponse.body.expires_in;
        if (e === undefined || e === null || typeof e === 'number' || (typeof e === 'string' && e.trim() !== '' && Number.isFinite(Number(e)))) return undefined;
        return { expected: 'expires_in a number of seconds', observed: { expires_in: e } };
      },
    },
    {
      id: 'kasm.token-type',
      title: 'a token_type other than Bearer when the access token is then sent to userinfo through the same session (oauthlib: "Unsupported token type")',
      step: 'token',
      source: `${OAUTHLIB}:oauthlib/oauth2/rfc6749/clients/base.py#L207-210,#L565-566`,
      check: (o) => {
        const t = o.tokenResponse.body.token_type;
        return typeof t === 'string' && t.toLowerCase() === 'bearer' ? undefined : { expected: 'token_type Bearer', observed: { token_type: t ?? '(absent)' } };
      },
    },
  ],
};
