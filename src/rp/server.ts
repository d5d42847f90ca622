// Simulated relying parties: real HTTP listeners on loopback at the clients' registered
// redirect_uris (host, port and path), so the browser lands on a live application as it would in
// production. The page names the parameters it received but never echoes their values (codes must
// not reach a screenshot or a trace).

import http from 'node:http';
import type { ClientSpec } from '../model/target.ts';
import { ConfigError } from '../config/errors.ts';

export interface RelyingParties {
  /** redirect_uris that have a live listener. */
  readonly served: string[];
  /** redirect_uris left without one (not http, or not on loopback) and why. */
  readonly unserved: Array<{ uri: string; reason: string }>;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function callbackPage(clientNames: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].map((k) => `<li>${escape(k)}</li>`).join('');
  const error = params.get('error');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(clientNames)}</title></head><body>
<h1 id="rp">${escape(clientNames)}</h1><p id="result">${error ? `error: ${escape(error)}` : 'callback received'}</p><ul id="params">${names}</ul></body></html>`;
}

// A simulated application (src/rp/app.ts) runs on a port of its own; the browser comes back to the
// client's registered redirect_uri, here. An application registers the `state` of the login it
// started, and the callback carrying that state is forwarded to it as it came (method, query, body).
// Everything else gets the plain callback page.
const ROUTE_PATH = '/.harness/route';
/** state -> the application's base URL (http://127.0.0.1:<port>), one entry per pending login. */
const routes = new Map<string, string>();

/** Registers, at the relying-party listener of `redirectUri`, that the callback with `state`
 *  goes to the application at `appUrl`. Throws when no listener answers there. */
export async function routeCallback(redirectUri: string, state: string, appUrl: string): Promise<void> {
  const res = await fetch(new URL(ROUTE_PATH, redirectUri), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state, to: appUrl }) });
  if (res.status !== 204) throw new Error(`no relying-party listener at ${new URL(redirectUri).origin} took the route (HTTP ${res.status})`);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function register(req: http.IncomingMessage, res: http.ServerResponse): void {
  void readBody(req).then((body) => {
    try {
      const { state, to } = JSON.parse(body.toString()) as { state?: unknown; to?: unknown };
      // Only applications on this machine's loopback: the listener forwards codes to them.
      if (typeof state !== 'string' || typeof to !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+$/.test(to)) throw new Error('bad route');
      routes.set(state, to);
      res.writeHead(204).end();
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('expected {"state": "...", "to": "http://127.0.0.1:<port>"}');
    }
  });
}

function forwardOrServe(req: http.IncomingMessage, res: http.ServerResponse, reqUrl: URL, body: Buffer, paths: Map<string, string[]>): void {
  const params = req.method === 'POST' ? new URLSearchParams(body.toString()) : reqUrl.searchParams;
  const to = routes.get(params.get('state') ?? '');
  const names = paths.get(reqUrl.pathname);
  if (!to) {
    if (!names) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not a redirect_uri of any client');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return void res.end(callbackPage(names.join(', '), params));
  }
  routes.delete(params.get('state') ?? '');
  const target = new URL(`/callback${reqUrl.search}`, to);
  // The application is told where the browser really was: its redirect_uri and query.
  const forward = http.request(target, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'text/plain', 'x-callback-url': reqUrl.href } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', (err) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`the application at ${to} did not answer: ${err.message}`));
  forward.end(req.method === 'POST' ? body : undefined);
}

/** Why the relying party at `origin` cannot listen, naming the redirect URI that asked for it by
 *  its file and field (`identity_providers.oidc.clients[3].redirect_uris[0]`) where the client
 *  was loaded from one: the user fixes that, or stops what holds the port. */
function listenError(err: NodeJS.ErrnoException, origin: string, first: { client: ClientSpec; index: number; uri: string }): Error {
  const problem = err.code === 'EADDRINUSE' ? `port ${new URL(origin).port || 80} is in use (another run?), so no relying party can listen at ${first.uri}` : `no relying party can listen at ${first.uri}: ${err.message}`;
  const entry = first.client.entry;
  return entry ? new ConfigError(entry.file, `${entry.field}.redirect_uris[${first.index}]`, problem) : new Error(`relying party ${origin} (client ${first.client.id}): ${problem}`);
}

export async function startRelyingParties(clients: ClientSpec[]): Promise<RelyingParties> {
  const byOrigin = new Map<string, Map<string, string[]>>();
  // The first redirect URI at each origin, so that a listener that cannot start names it.
  const firstAt = new Map<string, { client: ClientSpec; index: number; uri: string }>();
  const unserved: RelyingParties['unserved'] = [];
  for (const client of clients) {
    for (const [index, uri] of client.redirectUris.entries()) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        unserved.push({ uri, reason: 'not a URL' });
        continue;
      }
      if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) {
        unserved.push({ uri, reason: 'only http redirect URIs on loopback get a live relying party' });
        continue;
      }
      const paths = byOrigin.get(url.origin) ?? new Map<string, string[]>();
      paths.set(url.pathname, [...(paths.get(url.pathname) ?? []), client.name]);
      byOrigin.set(url.origin, paths);
      if (!firstAt.has(url.origin)) firstAt.set(url.origin, { client, index, uri });
    }
  }

  const servers: http.Server[] = [];
  const served: string[] = [];
  try {
    for (const [origin, paths] of byOrigin) {
      const url = new URL(origin);
      const server = http.createServer((req, res) => {
        const reqUrl = new URL(req.url ?? '/', origin);
        if (reqUrl.pathname === ROUTE_PATH && req.method === 'POST') return void register(req, res);
        if (routes.size) return void readBody(req).then((body) => forwardOrServe(req, res, reqUrl, body, paths));
        const names = paths.get(reqUrl.pathname);
        if (!names) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not a redirect_uri of any client');
          return;
        }
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const params = req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString()) : reqUrl.searchParams;
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.end(callbackPage(names.join(', '), params));
        });
      });
      server.keepAliveTimeout = 1000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, origin, firstAt.get(origin)!)));
        server.listen(Number(url.port || 80), url.hostname.replace(/^\[|\]$/g, ''), () => resolve());
      });
      servers.push(server);
      for (const path of paths.keys()) served.push(`${origin}${path}`);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw err;
  }

  return {
    served,
    unserved,
    async stop() {
      await Promise.all(
        servers.map((s) => {
          s.closeAllConnections();
          return new Promise((r) => s.close(r));
        }),
      );
    },
  };
}
