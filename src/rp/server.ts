// Simulated relying parties: real HTTP listeners on loopback at the clients' registered
// redirect_uris (host, port and path), so the browser lands on a live application as it would in
// production. The page names the parameters it received but never echoes their values (codes must
// not reach a screenshot or a trace).

import http from 'node:http';
import type { ClientSpec } from '../model/target.ts';

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

export async function startRelyingParties(clients: ClientSpec[]): Promise<RelyingParties> {
  const byOrigin = new Map<string, Map<string, string[]>>();
  const unserved: RelyingParties['unserved'] = [];
  for (const client of clients) {
    for (const uri of client.redirectUris) {
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
    }
  }

  const servers: http.Server[] = [];
  const served: string[] = [];
  try {
    for (const [origin, paths] of byOrigin) {
      const url = new URL(origin);
      const server = http.createServer((req, res) => {
        const reqUrl = new URL(req.url ?? '/', origin);
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
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(new Error(err.code === 'EADDRINUSE' ? `relying party ${origin}: port ${url.port} is in use (another run?)` : `relying party ${origin}: ${err.message}`)),
        );
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
