// Raw requests to the token, userinfo, introspection and revocation endpoints. Checks use these
// so they see refusals as the provider sent them; src/protocol/rp.ts drives the same flows through
// openid-client as a relying party would.

import type { ClientSpec, TokenEndpointAuthMethod } from '../model/target.ts';
import { send, type RawResponse } from '../http/exchange.ts';
import { clientCredentials } from './client-auth.ts';
import { endpoint, type Metadata } from './metadata.ts';

function required(meta: Metadata, name: string): string {
  const url = endpoint(meta, name);
  if (!url) throw new Error(`discovery has no ${name}`);
  return url;
}

export interface ClientCall {
  client: ClientSpec;
  /** Authenticate with this method instead of the configured one; 'omit' sends no credentials at all. */
  auth?: TokenEndpointAuthMethod | 'omit';
}

function credentials({ client, auth }: ClientCall) {
  return auth === 'omit' ? { headers: {}, form: {} } : clientCredentials(client, auth);
}

export function exchangeCode(meta: Metadata, call: ClientCall, code: string, redirectUri: string, verifier?: string): Promise<RawResponse> {
  const creds = credentials(call);
  return send({
    url: required(meta, 'token_endpoint'),
    headers: creds.headers,
    form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, ...creds.form },
  });
}

export function refreshGrant(meta: Metadata, call: ClientCall, refreshToken: string): Promise<RawResponse> {
  const creds = credentials(call);
  return send({
    url: required(meta, 'token_endpoint'),
    headers: creds.headers,
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, ...creds.form },
  });
}

export function userinfo(meta: Metadata, accessToken: string, method: 'GET' | 'POST' = 'GET'): Promise<RawResponse> {
  return send({
    method,
    url: required(meta, 'userinfo_endpoint'),
    headers: { authorization: `Bearer ${accessToken}` },
    ...(method === 'POST' ? { body: '', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
}

export function introspect(meta: Metadata, call: ClientCall, token: string, hint?: string): Promise<RawResponse> {
  const creds = credentials(call);
  return send({
    url: required(meta, 'introspection_endpoint'),
    headers: creds.headers,
    form: { token, token_type_hint: hint, ...creds.form },
  });
}

export function revoke(meta: Metadata, call: ClientCall, token: string, hint?: string): Promise<RawResponse> {
  const creds = credentials(call);
  return send({
    url: required(meta, 'revocation_endpoint'),
    headers: creds.headers,
    form: { token, token_type_hint: hint, ...creds.form },
  });
}
