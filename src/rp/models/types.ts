// A relying-party model: what one real application's OIDC library and settings demand of the
// provider beyond a strict certified library (openid-client), each demand a rule naming where it
// comes from (a file of the application's or its library's source, or a bug report).

/** Where an application reads a claim: only the ID token, only userinfo, or one first and the
 *  other for what the first lacks (Proxmox: ID token claims, userinfo filling the absent ones). */
export type ClaimSource = 'id_token' | 'userinfo' | 'id_token_then_userinfo' | 'userinfo_then_id_token';

export const CLAIM_SOURCES: readonly ClaimSource[] = ['id_token', 'userinfo', 'id_token_then_userinfo', 'userinfo_then_id_token'];

/** What the relying party saw of one login, raw: the rules judge these, not openid-client's view. */
export interface RpObservation {
  clientId: string;
  /** The scope the authorization request asked for, space-separated as sent. */
  requestedScope: string;
  /** The token endpoint's answer as sent: status, Content-Type and the parsed JSON body. */
  tokenResponse: { status: number; contentType: string | undefined; body: Record<string, unknown> };
  /** The ID token's JOSE header and payload, decoded (not verified: openid-client verifies). */
  idToken?: { header: Record<string, unknown>; claims: Record<string, unknown> };
  /** The userinfo answer's JSON, when the relying party called it. */
  userinfo?: Record<string, unknown>;
  /** The ID token's signature checked against the provider's JWKS, for models whose library
   *  always checks it (openid-client skips it for ID tokens from the token endpoint, as OIDC Core
   *  §3.1.3.7 allows over TLS). */
  idTokenSignature?: { valid: true } | { valid: false; error: string };
}

/** A rule's finding: what the application expected, what the provider sent, and the fix. */
export interface RuleViolation {
  expected: string;
  observed: unknown;
  /** The likely provider-side fix, in the provider's configuration terms where known. */
  fix?: string;
}

/** The step of the login a rule judges, as the transcript names them. */
export type RpStep = 'token' | 'id_token' | 'userinfo' | 'claims' | 'identity';

export interface RpRule {
  /** `<model>.<rule>`, e.g. proxmox.id-token-typ. */
  id: string;
  /** What the application rejects, in a few words. */
  title: string;
  step: RpStep;
  /** Where the demand comes from: repository:path#Lnn, or an issue URL. */
  source: string;
  /** Undefined when the observation meets the rule. Pure. */
  check(o: RpObservation): RuleViolation | undefined;
}

export interface RpModel {
  name: string;
  /** The application, as a person names it. */
  title: string;
  /** What the application's library demands beyond openid-client; empty for plain openid-client. */
  rules: readonly RpRule[];
  /** Whether the library verifies the ID token's signature against the JWKS itself. */
  verifiesIdTokenSignature?: boolean;
  /** How the library encodes client_id and client_secret for client_secret_basic, where it
   *  differs from openid-client's strict form encoding (RFC 6749 §2.3.1, where "_" is sent as
   *  %5F): `form` as the Rust url crate's form_urlencoded (letters, digits and *-._ kept),
   *  `raw` unencoded (Python requests' HTTPBasicAuth). */
  basicEncoding?: { encoding: 'form' | 'raw'; source: string };
  /** The client authentication the application always sends when it has a secret, whatever the
   *  provider registered for the client (Proxmox has no setting for it). */
  clientAuth?: { method: 'client_secret_basic' | 'client_secret_post'; source: string };
}
