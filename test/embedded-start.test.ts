// The embedded provider listens before it is built (its issuer names the port): a request in that
// window gets an answer, not a connection nobody serves, and stop() ends every connection.

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEmbedded } from '../src/targets/embedded/provider.ts';
import { testProfile } from './profile-fixture.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the embedded provider while it starts', () => {
  it('answers every request from the moment it listens (503 until built, then discovery)', async () => {
    const port = await freePort();
    const started = startEmbedded(testProfile(), { port });
    let ready = false;
    void started.then(() => (ready = true), () => undefined);
    const statuses: number[] = [];
    // Asks until the provider is built; each answer is bounded, so a request left unanswered fails.
    while (!ready) {
      const res = await request(`http://127.0.0.1:${port}/.well-known/openid-configuration`, { headersTimeout: 2_000, bodyTimeout: 2_000 }).catch((err: { code?: string }) => {
        if (err.code === 'ECONNREFUSED') return undefined;
        throw err;
      });
      if (!res) continue;
      await res.body.dump();
      statuses.push(res.statusCode);
    }
    const target = await started;
    try {
      const res = await request(`${target.issuer}/.well-known/openid-configuration`);
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      expect(statuses.every((s) => s === 503 || s === 200), statuses.join(',')).toBe(true);
    } finally {
      await target.stop();
    }
  }, 30_000);
});
