// What the Rust `openidconnect` crate (ramosbugs/openidconnect-rs 4.x, on oauth2-rs 5) rejects
// that openid-client accepts: Proxmox VE uses it (proxmox-openid), and RustDesk Server Pro's
// error messages are the crate's word for word. The line references are to tag 4.0.1 (oauth2-rs
// 5.0.0); each rule is one deserialization or verification step of the crate.

import { claimTypeProblems, ID_TOKEN_CLAIM_TYPES, STANDARD_CLAIM_TYPES } from '../../checks/claims.ts';
import type { RpObservation, RpRule, RuleViolation } from './types.ts';

const OIDC_RS = 'ramosbugs/openidconnect-rs';
const OAUTH2_RS = 'ramosbugs/oauth2-rs';

/** typ values the crate accepts: absent, or JWT / JOSE with an optional application/ prefix, any case. */
function typAccepted(typ: unknown): boolean {
  if (typ === undefined) return true;
  if (typeof typ !== 'string') return false;
  const t = typ.toLowerCase().replace(/^application\//, '');
  return t === 'jwt' || t === 'jose';
}

const fail = (v: RuleViolation): RuleViolation => v;

/** The rules of the crate, with ids under `prefix` (the model using it). */
export function openidconnectRsRules(prefix: string): RpRule[] {
  return [
    {
      id: `${prefix}.id-token-signature`,
      title: 'an ID token whose signature does not verify with a key of the provider\'s JWKS ("Signature verification failed"); the crate checks it on every login',
      step: 'id_token',
      source: `${OIDC_RS}:src/verification/mod.rs#L396-490; https://github.com/rustdesk/rustdesk-server-pro/issues/269`,
      check: (o) => (o.idTokenSignature && !o.idTokenSignature.valid ? fail({ expected: 'a signature that verifies with the JWKS key the header names', observed: { error: o.idTokenSignature.error }, fix: 'serve the signing key in the JWKS (after a key rotation, the old kid must not be used to sign)' }) : undefined),
    },
    {
      id: `${prefix}.id-token-typ`,
      title: 'an ID token whose JOSE header typ is other than absent, JWT or JOSE ("unexpected or unsupported JWT type")',
      step: 'id_token',
      source: `${OIDC_RS}:src/verification/mod.rs#L144-151,#L231-254; seen with Proxmox VE 8.4.1: https://github.com/pocket-id/pocket-id/issues/440`,
      check: (o) =>
        o.idToken && !typAccepted(o.idToken.header.typ)
          ? fail({ expected: 'typ absent, "JWT" or "JOSE"', observed: { typ: o.idToken.header.typ }, fix: 'sign ID tokens with typ JWT (or none); typ is a provider setting, not a client one' })
          : undefined,
    },
    {
      id: `${prefix}.id-token-cty-crit`,
      title: 'an ID token whose JOSE header carries cty or crit',
      step: 'id_token',
      source: `${OIDC_RS}:src/verification/mod.rs#L258-280`,
      check: (o) => {
        const h = o.idToken?.header;
        if (!h || (h.cty === undefined && h.crit === undefined)) return undefined;
        return fail({ expected: 'no cty and no crit in the JOSE header', observed: { ...(h.cty !== undefined ? { cty: h.cty } : {}), ...(h.crit !== undefined ? { crit: h.crit } : {}) } });
      },
    },
    {
      id: `${prefix}.id-token-aud`,
      title: 'an ID token whose aud holds any audience besides the client ("is not a trusted audience")',
      step: 'id_token',
      source: `${OIDC_RS}:src/verification/mod.rs#L336-370; https://github.com/rustdesk/rustdesk-server-pro/issues/937`,
      check: (o) => {
        const aud = o.idToken?.claims.aud;
        if (aud === undefined) return undefined;
        const list = Array.isArray(aud) ? aud : [aud];
        const others = list.filter((a) => a !== o.clientId);
        return others.length ? fail({ expected: `aud ${JSON.stringify(o.clientId)} alone`, observed: { aud }, fix: `drop the extra audiences (${others.join(', ')}) from this client's ID tokens (Authelia: the client's audience list)` }) : undefined;
      },
    },
    {
      id: `${prefix}.claim-types`,
      title: 'a standard claim of another JSON type than OIDC Core gives it (email_verified as "true", updated_at as a string), in the ID token or userinfo: the crate deserializes into typed fields and rejects the whole response',
      step: 'claims',
      source: `${OIDC_RS}:src/helpers.rs#L386-445 (Boolean accepts strings only with the accept-string-booleans feature, which proxmox/proxmox-rs:proxmox-openid/Cargo.toml#L24 does not enable), src/claims.rs#L284-295`,
      check: (o) => {
        const problems = [
          ...(o.idToken ? claimTypeProblems(o.idToken.claims, ID_TOKEN_CLAIM_TYPES).map((p) => `ID token: ${p}`) : []),
          ...(o.userinfo ? claimTypeProblems(o.userinfo, STANDARD_CLAIM_TYPES).map((p) => `userinfo: ${p}`) : []),
        ];
        return problems.length ? fail({ expected: 'each standard claim with its OIDC Core §5.1 JSON type', observed: problems, fix: 'serve booleans as JSON true/false and times as numbers (an attribute mapped from a directory often arrives as a string)' }) : undefined;
      },
    },
    {
      id: `${prefix}.token-response-format`,
      title: 'a token response the oauth2 crate cannot parse ("Failed to parse server response"): not JSON, token_type not a string, expires_in not a non-negative integer, scope not a string',
      step: 'token',
      source: `${OAUTH2_RS}:src/endpoint.rs#L184-240, src/token/mod.rs#L604-616, src/helpers.rs#L88-103; https://github.com/rustdesk/rustdesk-server-pro/issues/562`,
      check: (o) => {
        const b = o.tokenResponse.body;
        const problems: string[] = [];
        const type = (o.tokenResponse.contentType ?? '').split(';')[0]!.trim().toLowerCase();
        if (type && type !== 'application/json') problems.push(`Content-Type ${o.tokenResponse.contentType}`);
        if (typeof b.token_type !== 'string') problems.push(`token_type ${JSON.stringify(b.token_type)}`);
        if (b.expires_in !== undefined && !(typeof b.expires_in === 'number' && Number.isInteger(b.expires_in) && b.expires_in >= 0)) problems.push(`expires_in ${JSON.stringify(b.expires_in)}`);
        if (b.scope !== undefined && b.scope !== null && typeof b.scope !== 'string') problems.push(`scope ${JSON.stringify(b.scope)}`);
        return problems.length ? fail({ expected: 'application/json; token_type a string, expires_in a non-negative integer, scope a space-separated string', observed: problems }) : undefined;
      },
    },
    {
      id: `${prefix}.id-token-present`,
      title: 'a token response without id_token (Proxmox panics: "Server did not return an ID token")',
      step: 'token',
      source: 'proxmox/proxmox-rs:proxmox-openid/src/lib.rs#L279-284',
      check: (o) => (typeof o.tokenResponse.body.id_token === 'string' ? undefined : fail({ expected: 'an id_token in the token response', observed: { id_token: o.tokenResponse.body.id_token ?? '(absent)' }, fix: 'the request carries scope openid: the provider must issue an ID token' })),
    },
  ];
}

export type { RpObservation };
