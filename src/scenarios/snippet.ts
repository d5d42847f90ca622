// The Authelia client configuration matching a scenario, in the key spelling of Authelia 4.39's
// integration guides (client_id, client_name, redirect_uris, token_endpoint_auth_method ...):
// what an operator copies into configuration.yml for this application.

import { stringify } from 'yaml';
import type { ClientSpec } from '../model/target.ts';
import type { Scenario } from './schema.ts';
import { idTokenOnlyClaims } from './identity.ts';
import { clientAuthOf } from '../rp/models/index.ts';


/** YAML for `identity_providers.oidc` with this application's client (and claims policy). */
export function autheliaSnippet(s: Scenario, client: ClientSpec): string {
  const auth = clientAuthOf(s, client);
  const policy = idTokenOnlyClaims(s);
  const entry: Record<string, unknown> = {
    client_id: client.id,
    client_name: client.name,
    ...(auth === 'none' ? { public: true } : { client_secret: '<the digest of the client secret: authelia crypto hash generate pbkdf2 --variant sha512>', public: false }),
    authorization_policy: client.authorizationPolicy,
    require_pkce: s.pkce === 'S256',
    pkce_challenge_method: s.pkce === 'S256' ? 'S256' : '',
    redirect_uris: client.redirectUris,
    scopes: s.scopes,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    ...(s.response_mode === 'form_post' ? { response_modes: ['form_post'] } : {}),
    access_token_signed_response_alg: 'none',
    userinfo_signed_response_alg: 'none',
    token_endpoint_auth_method: auth,
    ...(policy.length ? { claims_policy: s.name } : {}),
  };
  const oidc: Record<string, unknown> = { ...(policy.length ? { claims_policies: { [s.name]: { id_token: policy } } } : {}), clients: [entry] };
  return stringify({ identity_providers: { oidc } }, { lineWidth: 0 });
}
