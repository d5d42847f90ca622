import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTarget } from './start.ts';
import { SettingsError } from '../config/settings.ts';
import type { TargetProfile } from '../model/target.ts';

describe('startTarget: fault switches outside the embedded provider', () => {
  let server: http.Server | undefined;
  const saved = process.env.HARNESS_EMBEDDED_FAULTS;
  afterEach(() => {
    server?.close();
    if (saved === undefined) delete process.env.HARNESS_EMBEDDED_FAULTS;
    else process.env.HARNESS_EMBEDDED_FAULTS = saved;
  });

  // Was a note in results.json only: the run looked like a run with the switches on.
  it('a running provider by URL with fault switches is refused before anything starts: one line naming the setting and the target', async () => {
    server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const profile = { name: 'elsewhere', file: '/p/target.yml', issuer, start: { mode: 'url' } } as unknown as TargetProfile;
    process.env.HARNESS_EMBEDDED_FAULTS = 'id-token-wrong-nonce';
    let requests = 0;
    server.on('request', () => requests++);
    const err = (await startTarget(profile).then(() => undefined, (e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(SettingsError);
    expect(err.message).toBe('HARNESS_EMBEDDED_FAULTS=id-token-wrong-nonce: fault switches exist only in the embedded reference provider, not in elsewhere (/p/target.yml, run as a url target); unset it for this target');
    expect(requests).toBe(0);
    delete process.env.HARNESS_EMBEDDED_FAULTS;
    expect((await startTarget(profile)).notes.join(' ')).not.toContain('HARNESS_EMBEDDED_FAULTS');
  });
});
