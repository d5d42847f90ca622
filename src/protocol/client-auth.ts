// Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3).

import type { ClientSpec, TokenEndpointAuthMethod } from '../model/target.ts';
import { basicAuth } from '../http/exchange.ts';

export interface ClientCredentials {
  headers: Record<string, string>;
  form: Record<string, string>;
}

/** Credentials for `client` sent with `method` (default: the client's configured method). */
export function clientCredentials(client: ClientSpec, method: TokenEndpointAuthMethod = client.tokenEndpointAuthMethod): ClientCredentials {
  const secret = client.secret ?? '';
  switch (method) {
    case 'client_secret_basic':
      return { headers: { authorization: basicAuth(client.id, secret) }, form: {} };
    case 'client_secret_post':
      return { headers: {}, form: { client_id: client.id, client_secret: secret } };
    case 'none':
      return { headers: {}, form: { client_id: client.id } };
    default:
      throw new Error(`client ${client.id}: token_endpoint_auth_method ${method} is not supported by the harness yet`);
  }
}

/** The secret method a client is NOT configured for, to prove the provider refuses it. */
export function otherSecretMethod(method: TokenEndpointAuthMethod): TokenEndpointAuthMethod | undefined {
  if (method === 'client_secret_basic') return 'client_secret_post';
  if (method === 'client_secret_post') return 'client_secret_basic';
  return undefined;
}

/** How `client` authenticates at the introspection endpoint (RFC 7662 §2.1 leaves the method to
 *  the provider): the profile's `endpoints.introspection_endpoint_auth_method` where it names one,
 *  else the client's own token endpoint method. Discovery's introspection_endpoint_auth_methods_supported
 *  is not used to choose: it is provider-wide, while a provider may hold each client to its
 *  registered method (glewlwyd lists client_secret_basic and refuses it from a client_secret_post
 *  client). */
export function introspectionAuthMethod(client: ClientSpec, named?: TokenEndpointAuthMethod): TokenEndpointAuthMethod {
  return named ?? client.tokenEndpointAuthMethod;
}
