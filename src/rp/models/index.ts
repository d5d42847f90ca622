// The relying-party models a scenario can name (`relying_party:`), one file each.

import { openidconnectRsRules } from './openidconnect-rs.ts';
import { kasm } from './kasm.ts';

/** oauth2-rs form-encodes id and secret with the url crate before base64. */
const OAUTH2_RS_BASIC = { encoding: 'form', source: 'ramosbugs/oauth2-rs:src/endpoint.rs#L114-127 (form_urlencoded::byte_serialize)' } as const;
import type { RpModel } from './types.ts';
import type { ClientSpec, TokenEndpointAuthMethod } from '../../model/target.ts';

/** Plain openid-client: its own validation is the whole verdict. */
const openidClient: RpModel = { name: 'openid-client', title: 'openid-client (a certified relying-party library)', rules: [] };

/** Proxmox VE's OpenID realm: proxmox/proxmox-rs proxmox-openid on openidconnect-rs. */
const proxmox: RpModel = {
  name: 'proxmox',
  title: 'Proxmox VE',
  rules: openidconnectRsRules('proxmox'),
  verifiesIdTokenSignature: true,
  basicEncoding: OAUTH2_RS_BASIC,
  clientAuth: { method: 'client_secret_basic', source: "proxmox/proxmox-rs:proxmox-openid/src/lib.rs (OpenIdAuthenticator::discover builds CoreClient::from_provider_metadata and never calls set_auth_type, so oauth2-rs's default AuthType::BasicAuth)" },
};

/** RustDesk Server Pro: closed source; its error messages are openidconnect-rs's word for word
 *  (rustdesk/rustdesk-server-pro#269, #562, #937), so the crate's rules are applied. */
const rustdesk: RpModel = { name: 'rustdesk-server-pro', title: 'RustDesk Server Pro', rules: openidconnectRsRules('rustdesk-server-pro'), verifiesIdTokenSignature: true, basicEncoding: OAUTH2_RS_BASIC };

export const RP_MODELS: Readonly<Record<string, RpModel>> = {
  'openid-client': openidClient,
  proxmox,
  kasm,
  'rustdesk-server-pro': rustdesk,
};

/** The client authentication the application sends: the scenario's `client_auth`, else the one
 *  its model always sends (for a client with a secret), else what the client is registered with. */
export function clientAuthOf(s: { relying_party: string; client_auth?: TokenEndpointAuthMethod | undefined }, client: ClientSpec): TokenEndpointAuthMethod {
  const always = RP_MODELS[s.relying_party]?.clientAuth;
  return s.client_auth ?? (always && client.secret ? always.method : client.tokenEndpointAuthMethod);
}

export type { RpModel, RpRule, RpObservation, RuleViolation, ClaimSource } from './types.ts';
