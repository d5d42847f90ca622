// Requests the token, introspection and revocation endpoints must answer with an error: the
// samples token-errors.* judges. Sent raw, with credentials built here where a client library
// would refuse (a wrong secret, none at all, an unknown grant type).

import type { ClientSpec } from '../model/target.ts';
import { basicAuth, send, type RawResponse } from '../http/exchange.ts';
import type { ErrorSample } from '../checks/token-errors.ts';
import { clientCredentials } from './client-auth.ts';
import { exchangeCode, introspect, revoke } from './endpoints.ts';
import { endpoint, type Metadata } from './metadata.ts';

const NOT_A_CODE = 'harness-not-a-code';
const NOT_A_TOKEN = 'harness-not-a-token';

/** Error samples for `client` (a confidential client) at every endpoint discovery advertises. */
export async function errorProbes(meta: Metadata, client: ClientSpec): Promise<ErrorSample[]> {
  const samples: ErrorSample[] = [];
  const wrong = `${client.secret ?? ''}-wrong`;
  const wrongBasic = { authorization: basicAuth(client.id, wrong) };
  const configuredIsBasic = client.tokenEndpointAuthMethod === 'client_secret_basic';
  const redirectUri = client.redirectUris[0] ?? 'http://127.0.0.1/cb';
  const add = (endpoint: ErrorSample['endpoint'], what: string, basic: boolean, res: RawResponse) => samples.push({ endpoint, what, basicAuth: basic, res });

  const token = endpoint(meta, 'token_endpoint');
  if (token) {
    const codeForm = { grant_type: 'authorization_code', code: NOT_A_CODE, redirect_uri: redirectUri };
    add('token', 'wrong secret, Basic', true, await send({ url: token, headers: wrongBasic, form: codeForm }));
    add('token', 'wrong secret, in the body', false, await send({ url: token, form: { ...codeForm, client_id: client.id, client_secret: wrong } }));
    add('token', 'unknown code', configuredIsBasic, await exchangeCode(meta, { client }, NOT_A_CODE, redirectUri));
    const creds = clientCredentials(client);
    add('token', 'unsupported grant_type', configuredIsBasic, await send({ url: token, headers: creds.headers, form: { grant_type: 'urn:example:harness-unsupported', ...creds.form } }));
  }
  if (endpoint(meta, 'introspection_endpoint')) {
    add('introspection', 'no client authentication', false, await introspect(meta, { client, auth: 'omit' }, NOT_A_TOKEN));
    add('introspection', 'wrong secret, Basic', true, await introspect(meta, { client: { ...client, secret: wrong }, auth: 'client_secret_basic' }, NOT_A_TOKEN));
  }
  const revocation = endpoint(meta, 'revocation_endpoint');
  if (revocation) {
    add('revocation', 'no client authentication', false, await revoke(meta, { client, auth: 'omit' }, NOT_A_TOKEN));
    add('revocation', 'wrong secret, Basic', true, await revoke(meta, { client: { ...client, secret: wrong }, auth: 'client_secret_basic' }, NOT_A_TOKEN));
    const creds = clientCredentials(client);
    add('revocation', 'no token parameter', configuredIsBasic, await send({ url: revocation, headers: creds.headers, form: { ...creds.form } }));
    add('revocation', 'unsupported token_type_hint', configuredIsBasic, await revoke(meta, { client }, NOT_A_TOKEN, 'urn:example:harness-unsupported'));
  }
  return samples;
}

/** The token request code.single-auth-method sends: the client's credentials in the Basic header
 *  AND client_id + client_secret in the body (RFC 6749 §2.3.1 forbids it, so no client sends it). */
export function exchangeWithBothMethods(meta: Metadata, client: ClientSpec, code: string, redirectUri: string, verifier?: string): Promise<RawResponse> {
  const url = endpoint(meta, 'token_endpoint');
  if (!url) throw new Error('discovery has no token_endpoint');
  const secret = client.secret ?? '';
  return send({
    url,
    headers: { authorization: basicAuth(client.id, secret) },
    form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: client.id, client_secret: secret },
  });
}
