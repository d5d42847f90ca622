import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAutheliaConfig } from '../config/authelia.ts';
import { ConfigError } from '../config/errors.ts';
import { tempFiles } from '../../test/thrown.ts';
import { startRelyingParties } from './server.ts';

/** A port nothing listens on (`port`, when free; else a thrown EADDRINUSE). */
function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(port, '127.0.0.1', () => {
      const { port: got } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(got));
    });
  });
}

// A relying party whose port another program held was 'relying party http://127.0.0.1:4555: port
// 4555 is in use (another run?)': no file or field to look at, and which client it was unsaid.
describe('a relying party that cannot listen', () => {
  const blocker = net.createServer();
  let port = 0;
  let free = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as net.AddressInfo).port;
    free = await freePort();
  });
  afterAll(() => new Promise((resolve) => blocker.close(resolve)));

  it('names the file and the redirect URI that asked for the port', async () => {
    const file = tempFiles('harness-rp-port-')('configuration.yml', `identity_providers:\n  oidc:\n    clients:\n      - {client_id: a, client_secret: s, redirect_uris: ['http://127.0.0.1:${free}/free']}\n      - {client_id: b, client_secret: s, redirect_uris: ['https://b.example.com/cb', 'http://127.0.0.1:${port}/cb']}\n`);
    const { clients } = importAutheliaConfig(file);
    const err = await startRelyingParties(clients).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ file, field: 'identity_providers.oidc.clients[1].redirect_uris[1]' });
    expect((err as Error).message).toMatch(new RegExp(`configuration\\.yml: identity_providers\\.oidc\\.clients\\[1\\]\\.redirect_uris\\[1\\]: port ${port} is in use \\(another run\\?\\), so no relying party can listen at http://127\\.0\\.0\\.1:${port}/cb$`));
    // The listener started before it is stopped again.
    expect(await freePort(free)).toBe(free);
  });
});
