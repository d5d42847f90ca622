// What one provider documents beyond the standard. A profile names it (`provider: authelia-4.39`);
// without a name only the standard and the values the configuration sets are expectations. Checks
// read these flags, never a provider's name; each provider's values live in src/providers/<name>/.

import type { ClaimsProfile } from './target.ts';

export interface ProviderBehaviour {
  /** The profile's `provider:` value, e.g. `authelia-4.39`. */
  name: string;
  /** Quoted as the basis of expectations that come from here, e.g. `Authelia 4.39 documented behaviour`. */
  label: string;
  /** Where its claims go when the profile sets no claims_profile. */
  claimsProfile: ClaimsProfile;
  /** The defaults the configuration importer fills in for keys the file leaves out (sources
   *  `<format> default: key = value`) are this provider's own, so they are expectations too. */
  configurationDefaults: boolean;
  /** Refresh tokens are single use and every refresh rotates them (for confidential clients too). */
  refreshRotation: boolean;
  /** Every ID token carries auth_time (OIDC Core requires it only with max_age or require_auth_time). */
  authTimeAlways: boolean;
  /** Refusals carry exactly the error code the standard lists; another code is a failure, not a warning. */
  exactErrorCodes: boolean;
  /** How a client is given scope claims in its ID tokens, where the provider serves them from
   *  userinfo only: the fix a scenario names for an application that reads them from the ID token. */
  idTokenClaimsFix?: string;
  /** CORS details beyond the configured origins, or undefined when the provider documents none. */
  cors?: {
    /** Discovery and JWKS answer `Access-Control-Allow-Origin: *` to every origin. */
    openEndpointsWildcard: boolean;
    /** No CORS headers at all on a request without Origin. */
    noHeadersWithoutOrigin: boolean;
    /** Endpoints that send `Access-Control-Allow-Credentials: true` to an allowed origin. */
    credentialsOn: string[];
    /** With no allowed origins configured, any https origin is allowed (and http ones are not). */
    anyHttpsWhenUnlisted: boolean;
  };
}

/** Sources of values the configuration did not set: `<format> default: key = value`. */
export function isDefaultSource(source: string | undefined): boolean {
  return source !== undefined && /^\S+ default: /.test(source);
}
