// Authorization requests (OIDC Core §3.1.2.1) with state, nonce and PKCE made by openid-client.

import * as oidc from 'openid-client';
import type { ClientSpec } from '../model/target.ts';
import { endpoint, type Metadata } from './metadata.ts';

export interface AuthorizationRequest {
  client: ClientSpec;
  url: URL;
  redirectUri: string;
  state: string;
  nonce: string;
  scope: string;
  /** PKCE code_verifier, when a challenge was sent. */
  verifier?: string;
}

export interface AuthorizationOptions {
  scope?: string;
  /** S256 (default), plain, or false for no PKCE. */
  pkce?: 'S256' | 'plain' | false;
  redirectUri?: string;
  /** Extra or overriding parameters; undefined removes a parameter. */
  params?: Record<string, string | undefined>;
}

/** The scopes a client may request that the harness asks for by default (all it is allowed). */
export function defaultScope(client: ClientSpec): string {
  return client.scopes.includes('openid') ? client.scopes.join(' ') : ['openid', ...client.scopes].join(' ');
}

export async function authorizationRequest(meta: Metadata, client: ClientSpec, options: AuthorizationOptions = {}): Promise<AuthorizationRequest> {
  const authz = endpoint(meta, 'authorization_endpoint');
  if (!authz) throw new Error('discovery has no authorization_endpoint');
  const redirectUri = options.redirectUri ?? client.redirectUris[0];
  if (!redirectUri) throw new Error(`client ${client.id} has no redirect_uri`);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const scope = options.scope ?? defaultScope(client);
  const url = new URL(authz);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: client.id,
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
  };
  // OIDC Core §11: a client asking for offline_access sends prompt=consent, and a provider may
  // ignore offline_access without it (oidc-provider does). options.params may override it.
  if (scope.split(' ').includes('offline_access')) params.prompt = 'consent';
  let verifier: string | undefined;
  const pkce = options.pkce ?? 'S256';
  if (pkce) {
    verifier = oidc.randomPKCECodeVerifier();
    params.code_challenge = pkce === 'S256' ? await oidc.calculatePKCECodeChallenge(verifier) : verifier;
    params.code_challenge_method = pkce;
  }
  Object.assign(params, options.params);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { client, url, redirectUri, state, nonce, scope, ...(verifier ? { verifier } : {}) };
}
