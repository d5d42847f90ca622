// The run's TLS set-up against a real https listener: the harness's HTTP client and Chromium
// reach the mapped host name on loopback and trust exactly the run's certificate, and nothing
// else is trusted because of it.

import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright';
import { Agent } from 'undici';
import { applyTrust, makeRunTls, trustOf, TLS_ENV, type RunTls } from './tls.ts';
import { send } from '../http/exchange.ts';
import { findChromium, launchOptions } from '../browser/launch.ts';

const HOST = 'auth.example.test';

describe('per-run TLS for a named provider', () => {
  let tls: RunTls;
  let server: https.Server;
  let port: number;
  beforeAll(async () => {
    tls = await makeRunTls(HOST);
    server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>run tls</title><h1 id="ok">ok</h1>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('makes a certificate for the host name signed by the run CA', () => {
    expect(tls.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(tls.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(tls.spki).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('the HTTP client refuses the certificate until the run CA is trusted, then reaches the name on loopback', async () => {
    const url = `https://${HOST}:${port}/`;
    const plain = new Agent({ connect: { lookup: (_h, _o, cb) => (cb as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4) } });
    await expect(fetch(url, { dispatcher: plain } as RequestInit)).rejects.toThrow();
    await plain.close();
    applyTrust(trustOf(tls));
    const res = await send({ url });
    expect(res.status).toBe(200);
    expect(res.text).toContain('run tls');
  });

  it.skipIf(!findChromium())('Chromium reaches the name with the run key pinned, and refuses it without', async () => {
    const env = { ...process.env, [TLS_ENV]: JSON.stringify(trustOf(tls)) };
    const browser = await chromium.launch(launchOptions(env));
    try {
      const page = await browser.newPage();
      await page.goto(`https://${HOST}:${port}/`);
      expect(await page.textContent('#ok')).toBe('ok');
    } finally {
      await browser.close();
    }
    const other = await makeRunTls(HOST);
    const pinnedElsewhere = await chromium.launch(launchOptions({ ...process.env, [TLS_ENV]: JSON.stringify(trustOf(other)) }));
    try {
      await expect((await pinnedElsewhere.newPage()).goto(`https://${HOST}:${port}/`)).rejects.toThrow(/ERR_CERT/);
    } finally {
      await pinnedElsewhere.close();
    }
  });
});
