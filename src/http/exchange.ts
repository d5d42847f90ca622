// Raw HTTP with the whole exchange kept as evidence. Used where a check must see what a client
// library would hide (status, headers, bodies of refusals) and for negative requests a compliant
// client would refuse to send. Every request is bounded in time.

import { request } from 'undici';
import type { HttpExchange } from '../model/check.ts';

export interface RawRequest {
  method?: string;
  url: string | URL;
  headers?: Record<string, string>;
  /** A form (sent urlencoded) or a ready body. */
  form?: Record<string, string | undefined>;
  body?: string;
  timeoutMs?: number;
}

export interface RawResponse {
  exchange: HttpExchange;
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function formBody(form: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) params.set(k, v);
  return params.toString();
}

export async function send(req: RawRequest): Promise<RawResponse> {
  const method = req.method ?? (req.form || req.body !== undefined ? 'POST' : 'GET');
  const url = String(req.url);
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body = req.body;
  if (req.form) {
    body = formBody(req.form);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const exchange: HttpExchange = { request: { method, url, headers, ...(body !== undefined ? { body } : {}) } };
  const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const res = await request(url, {
      method: method as 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(timeout),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const text = await res.body.text();
    const resHeaders = flatten(res.headers);
    exchange.response = { status: res.statusCode, headers: resHeaders, body: text };
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { exchange, status: res.statusCode, headers: resHeaders, text, json };
  } catch (err) {
    exchange.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new HttpError(`${method} ${url}: no answer (${exchange.error})`, exchange);
  }
}

/** A request that got no HTTP answer at all (refused, timed out). */
export class HttpError extends Error {
  readonly exchange: HttpExchange;
  constructor(message: string, exchange: HttpExchange) {
    super(message);
    this.exchange = exchange;
  }
}

export function basicAuth(id: string, secret: string): string {
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}
