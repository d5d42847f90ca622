import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTarget } from './start.ts';
import type { TargetProfile } from '../model/target.ts';

describe('startTarget: fault switches outside the embedded provider', () => {
  let server: http.Server | undefined;
  const saved = process.env.HARNESS_EMBEDDED_FAULTS;
  afterEach(() => {
    server?.close();
    if (saved === undefined) delete process.env.HARNESS_EMBEDDED_FAULTS;
    else process.env.HARNESS_EMBEDDED_FAULTS = saved;
  });

  it('a running provider by URL gets a note that the switches were ignored, not a silent run', async () => {
    server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const profile = { name: 'elsewhere', file: '/p/target.yml', issuer, start: { mode: 'url' } } as unknown as TargetProfile;
    process.env.HARNESS_EMBEDDED_FAULTS = 'id-token-wrong-nonce';
    const target = await startTarget(profile);
    expect(target.notes).toContain('HARNESS_EMBEDDED_FAULTS=id-token-wrong-nonce ignored: fault switches exist only in the embedded reference provider, not in elsewhere');
    delete process.env.HARNESS_EMBEDDED_FAULTS;
    expect((await startTarget(profile)).notes.join(' ')).not.toContain('HARNESS_EMBEDDED_FAULTS');
  });
});
