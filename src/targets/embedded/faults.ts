// Fault switches for the embedded reference provider. Each one makes the provider misbehave in
// exactly one way that a check must catch; the harness's own tests turn them on one at a time.

export const FAULTS = [
  /** scope claims go into the ID token whatever the claims profile says */
  'claims-in-id-token',
  /** userinfo leaves out groups */
  'userinfo-drops-groups',
  /** userinfo answers email_verified as the string "true" */
  'email-verified-as-string',
  /** userinfo adds an email claim whatever the scope */
  'claims-leak',
  /** clients obtain scopes they are not allowed */
  'scope-not-enforced',
  /** the token response's scope lists every standard scope, whatever was requested and granted */
  'token-scope-overstated',
  /** every authorization request gets an error redirect temporarily_unavailable (nothing to do with its parameters) */
  'authorization-temporarily-unavailable',
  /** every ID token carries a new sub */
  'sub-per-login',
  /** any redirect_uri that starts with a registered one is accepted */
  'redirect-uri-prefix-match',
  /** redirect_uri is compared without regard to case */
  'redirect-uri-case-insensitive',
  /** an unregistered redirect_uri gets an error redirect to it (an open redirect) */
  'redirect-uri-error-redirect',
  /** an unregistered redirect_uri gets a 200 page of the provider with a link to it, no error */
  'redirect-uri-interstitial',
  /** an unregistered redirect_uri gets an error posted to it (a form_post page, HTTP 400) */
  'redirect-uri-error-form-post',
  /** every token and code lives 2 hours, whatever the configured lifespans */
  'lifespans-ignored',
  /** every endpoint answers Access-Control-Allow-Origin: * to any origin */
  'cors-wildcard',
  /** short state and nonce values are accepted */
  'entropy-not-enforced',
  /** any response_mode is served to any client */
  'response-mode-not-enforced',
  /** no client is asked for consent, whatever its consent_mode */
  'consent-skipped',
  /** sector_identifier_uri is ignored: every client gets the public sub */
  'pairwise-ignored',
  /** two_factor clients get a code on a one-factor session */
  'second-factor-skipped',
  /** a pre-configured consent is never remembered */
  'consent-not-remembered',
  /** the consent page's deny button grants consent */
  'consent-deny-ignored',
  /** discovery advertises an issuer other than the URL it is served from */
  'discovery-wrong-issuer',
  /** discovery omits jwks_uri */
  'discovery-no-jwks-uri',
  /** client_secret_basic credentials are compared without form-decoding them (RFC 6749 §2.3.1),
   *  as glewlwyd 2.7 does: an id or secret sent percent-encoded is refused */
  'basic-credentials-not-decoded',
  /** the refresh grant's token response has no token_type (RFC 6749 §5.1 requires it) */
  'refresh-response-malformed',
  /** the revocation endpoint answers 204 No Content, not 200 (RFC 7009 §2.2) */
  'revocation-answers-204',
  /** discovery leaves out introspection_endpoint and revocation_endpoint (both still served) */
  'discovery-omits-token-endpoints',
  /** discovery advertises `plain` among code_challenge_methods_supported without supporting it */
  'discovery-advertises-plain',
  /** the token endpoint accepts either secret method whatever the client is configured with */
  'auth-method-not-enforced',
  /** PKCE is not required from public clients */
  'pkce-not-required',
  /** ID tokens are re-signed with an unknown key (same kid) */
  'id-token-bad-signature',
  /** ID tokens carry no kid header */
  'id-token-no-kid',
  /** ID token aud is another client */
  'id-token-wrong-aud',
  /** ID token iss is not the issuer */
  'id-token-wrong-iss',
  /** ID token exp lies in the past */
  'id-token-expired',
  /** ID token nonce differs from the request's */
  'id-token-wrong-nonce',
  /** ID token iat lies one day in the future */
  'id-token-iat-future',
  /** ID token at_hash does not match the access token */
  'id-token-bad-at-hash',
  /** ID tokens carry no at_hash */
  'id-token-no-at-hash',
  /** ID token auth_time is 0 */
  'id-token-auth-time-zero',
  /** the authorization response drops state */
  'authorization-drops-state',
  /** a code can be redeemed again (the first token response is replayed) */
  'code-reuse-accepted',
  /** userinfo answers a different sub than the ID token */
  'userinfo-wrong-sub',
  /** userinfo answers 401 without WWW-Authenticate */
  'userinfo-no-www-authenticate',
  /** userinfo refuses POST */
  'userinfo-post-refused',
  /** refresh tokens are issued to clients not allowed the refresh_token grant */
  'refresh-for-all',
  /** every client may use the refresh_token grant, whatever its grant_types */
  'refresh-grant-not-restricted',
  /** refresh tokens do not rotate */
  'refresh-no-rotation',
  /** introspection answers without client authentication */
  'introspection-no-client-auth',
  /** introspection answers 503 to every request */
  'introspection-unavailable',
  /** introspection of an active token leaves out client_id and sub */
  'introspection-anonymous',
  /** revocation answers 200 but revokes nothing */
  'revocation-noop',
  /** discovery answers 200 with a body that is not JSON (every other check is blocked by it) */
  'discovery-not-json',
  /** the token endpoint answers HTTP 500 to every request (setup steps end in an error outcome) */
  'token-server-error',
  /** no refresh token is ever issued (refresh checks are blocked by refresh.issued-as-configured) */
  'refresh-never-issued',
  /** the token endpoint answers HTTP 500 while more than two token requests are in flight */
  'server-error-under-load',
  /** the ID token carries updated_at as an RFC 3339 date string */
  'updated-at-as-string',
  /** userinfo answers groups as one comma-separated string */
  'groups-as-string',
  /** ID tokens carry the header typ "ID+JWT" */
  'id-token-typ',
  /** ID tokens mark an unknown header parameter critical (crit) */
  'id-token-crit',
  /** ID tokens carry the header cty "JWT" */
  'id-token-cty',
  /** in an existing session, the ID token carries the nonce of that session's previous authorization for the client */
  'id-token-stale-nonce',
  /** in an existing session, the authorization response carries the state of that session's previous authorization for the client */
  'authorization-stale-state',
  /** in an existing session, the authorization response leaves out iss */
  'authorization-iss-dropped-on-reuse',
  /** error responses of the token, introspection and revocation endpoints are served as text/plain */
  'token-errors-text-plain',
  /** 401 answers of the token, introspection and revocation endpoints carry no WWW-Authenticate */
  'token-errors-no-www-authenticate',
  /** the token endpoint accepts client credentials in the Basic header and the body at once */
  'auth-both-methods-accepted',
] as const;

export type Fault = (typeof FAULTS)[number];

export function isFault(value: string): value is Fault {
  return (FAULTS as readonly string[]).includes(value);
}
