// The flows driven through openid-client, a certified relying-party library, as an application
// built on it drives them: "a strict library accepts this provider" is a verdict of its own
// (src/checks/rp-library.ts). Every request is recorded, so a refusal carries its HTTP evidence.

import * as oidc from 'openid-client';
import { fetch as undiciFetch } from 'undici';
import type { ClientSpec } from '../model/target.ts';
import type { HttpExchange } from '../model/check.ts';
import type { Metadata } from './metadata.ts';

export interface LibraryClient {
  config: oidc.Configuration;
  /** The exchanges openid-client made, in order. */
  exchanges: HttpExchange[];
}

/** openid-client configured for `client` from the discovery document the run already read, with
 *  the client's registered authentication. Plain http is allowed only for an http issuer. */
export function libraryClient(meta: Metadata, client: ClientSpec): LibraryClient {
  const exchanges: HttpExchange[] = [];
  const auth =
    client.tokenEndpointAuthMethod === 'client_secret_post' ? oidc.ClientSecretPost(client.secret)
    : client.tokenEndpointAuthMethod === 'none' ? oidc.None()
    : oidc.ClientSecretBasic(client.secret);
  const config = new oidc.Configuration(meta as unknown as oidc.ServerMetadata, client.id, { id_token_signed_response_alg: client.idTokenSignedResponseAlg || 'RS256' }, auth);
  if (String(meta.issuer ?? '').startsWith('http:')) oidc.allowInsecureRequests(config);
  config[oidc.customFetch] = async (url, options) => {
    const res = await undiciFetch(url, options as Parameters<typeof undiciFetch>[1]);
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    const reqHeaders: Record<string, string> = {};
    new Headers(options.headers as HeadersInit).forEach((v, k) => (reqHeaders[k] = v));
    const body = typeof options.body === 'string' ? options.body : options.body instanceof URLSearchParams ? options.body.toString() : undefined;
    exchanges.push({ request: { method: options.method ?? 'GET', url, headers: reqHeaders, ...(body ? { body } : {}) }, response: { status: res.status, headers, body: await res.clone().text() } });
    return res as unknown as Response;
  };
  return { config, exchanges };
}

export { oidc };
