// Discovery metadata as served: kept as a plain record because checks must inspect what is there,
// including wrong or missing members that a typed client would reject.

import { send, type RawResponse } from '../http/exchange.ts';

export type Metadata = Record<string, unknown>;

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

export function fetchDiscovery(issuer: string, timeoutMs?: number): Promise<RawResponse> {
  return send({ url: discoveryUrl(issuer), ...(timeoutMs ? { timeoutMs } : {}) });
}

/** An endpoint URL from metadata, or undefined when absent or not a string. */
export function endpoint(meta: Metadata, name: string): string | undefined {
  const value = meta[name];
  return typeof value === 'string' && value ? value : undefined;
}

export function stringList(meta: Metadata, name: string): string[] | undefined {
  const value = meta[name];
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}
