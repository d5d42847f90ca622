// Response rewriting for the embedded provider: used to bend oidc-provider toward the behaviour
// its configuration promises, and (fault-wrapper.ts) away from it for the harness's own tests.

import type http from 'node:http';

export type Rewrite = (body: string, res: http.ServerResponse) => Promise<string>;

export function rewriteBody(res: http.ServerResponse, rewrite: Rewrite): void {
  const end = res.end.bind(res) as (chunk?: string | Buffer) => http.ServerResponse;
  res.end = ((chunk?: unknown) => {
    const text = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : typeof chunk === 'string' ? chunk : '';
    rewrite(text, res).then(
      (out) => {
        if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(out));
        end(out);
      },
      () => end(text),
    );
    return res;
  }) as typeof res.end;
}

export function dropHeader(res: http.ServerResponse, name: string, edit: (value: string) => string | undefined): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((key: string, value: number | string | readonly string[]) => {
    if (key.toLowerCase() !== name) return setHeader(key, value);
    const edited = edit(String(value));
    return edited === undefined ? res : setHeader(key, edited);
  }) as typeof res.setHeader;
}

export function jsonRewrite(edit: (json: Record<string, unknown>, res: http.ServerResponse) => Promise<void> | void): Rewrite {
  return async (body, res) => {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return body;
    }
    await edit(json, res);
    return JSON.stringify(json);
  };
}

