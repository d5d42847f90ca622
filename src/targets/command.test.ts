import { describe, expect, it } from 'vitest';
import { loadProfile } from '../config/profile.ts';
import { ConfigError } from '../config/errors.ts';
import { tempFiles, thrown } from '../../test/thrown.ts';
import { startCommand } from './command.ts';
import { freePort } from './port.ts';
import { fetchDiscovery } from '../protocol/metadata.ts';

const file = tempFiles('harness-command-');

// A stand-in provider: serves a discovery document on the port it is given as its argument, with
// the issuer it is given in its environment.
const SERVER = [
  "const http = require('node:http');",
  'const port = Number(process.argv[1]);',
  "http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ issuer: process.env.ISSUER, argv_port: port, dollar: process.env.LITERAL })); }).listen(port, '127.0.0.1');",
  "process.on('SIGTERM', () => process.exit(0));",
].join(' ');

function profile(start: string, issuer: string): string {
  return file(
    `t-${Math.random().toString(36).slice(2)}.yml`,
    [
      'name: cmd',
      `start: ${start}`,
      `issuer: ${JSON.stringify(issuer)}`,
      'login: { driver: embedded }',
      'users: [{ username: john, password: pw }]',
      'clients: [{ client_id: c, public: true, redirect_uris: ["http://127.0.0.1:29999/cb"] }]',
      '',
    ].join('\n'),
  );
}

describe('command targets with port: auto', () => {
  it('pick a free port and fill ${PORT} into the arguments, env values and the issuer', async () => {
    const start = `{ mode: command, command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SERVER)}, '\${PORT}'], env: { ISSUER: 'http://127.0.0.1:\${PORT}', LITERAL: '\${HARNESS_TEST_UNSET:-kept}' }, port: auto, ready_timeout: 10s }`;
    const p = loadProfile(profile(start, 'http://127.0.0.1:${PORT}/'));
    expect(p.start.mode === 'command' && p.start.port).toBe('auto');
    expect(p.issuer).toBe('http://127.0.0.1:${PORT}');
    const target = await startCommand(p);
    try {
      const port = Number(new URL(target.issuer).port);
      expect(port).toBeGreaterThan(0);
      expect(target.issuer).toBe(`http://127.0.0.1:${port}`);
      const doc = (await fetchDiscovery(target.issuer)).json as Record<string, unknown>;
      expect(doc).toEqual({ issuer: target.issuer, argv_port: port, dollar: 'kept' });
      expect(target.notes.join(' ')).toMatch(new RegExp(`port ${port}`));
    } finally {
      await target.stop();
    }
  });

  it('a fixed port is filled in the same way', async () => {
    const fixed = await freePort();
    const start = `{ mode: command, command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SERVER)}, '\${PORT}'], env: { ISSUER: 'http://127.0.0.1:\${PORT}' }, port: ${fixed}, ready_timeout: 10s }`;
    const target = await startCommand(loadProfile(profile(start, 'http://127.0.0.1:${PORT}')));
    try {
      expect(target.issuer).toBe(`http://127.0.0.1:${fixed}`);
    } finally {
      await target.stop();
    }
  });

  it('without start.port, ${PORT} in the issuer is refused and nothing is templated', () => {
    const start = `{ mode: command, command: [x, '\${PORT}'] }`;
    expect(thrown(ConfigError, () => loadProfile(profile(start, 'http://127.0.0.1:${PORT}'))).message).toMatch(/issuer: \$\{PORT\} is only filled in when start.port is given/);
    const p = loadProfile(profile(start, 'http://127.0.0.1:9000'));
    expect(p.start.mode === 'command' && p.start.args).toEqual(['${PORT}']);
    expect(p.start.mode === 'command' && p.start.port).toBeUndefined();
  });
});

describe('command targets that cannot start', () => {
  it('a command that is not there, or a cwd that is not a folder: one line naming the field', async () => {
    const missing = loadProfile(profile(`{ mode: command, command: [/nonexistent/provider-bin], port: auto, ready_timeout: 5s }`, 'http://127.0.0.1:${PORT}'));
    expect((await startCommand(missing).then(() => undefined, (e: unknown) => e)) as Error).toMatchObject({ message: expect.stringMatching(/^t-\w+\.yml: start\.command: \/nonexistent\/provider-bin could not be started \(ENOENT\)$/) });
    const cwd = loadProfile(profile(`{ mode: command, command: [${JSON.stringify(process.execPath)}, -e, '0'], cwd: /nonexistent/dir, port: auto, ready_timeout: 5s }`, 'http://127.0.0.1:${PORT}'));
    expect((await startCommand(cwd).then(() => undefined, (e: unknown) => e)) as Error).toMatchObject({ message: expect.stringMatching(/start\.cwd: \/nonexistent\/dir is not a folder$/) });
  });

  it('a fixed port where something already answers is refused before the command starts (the run would test that server)', async () => {
    const fixed = await freePort();
    const other = (await import('node:http')).createServer((_req, res) => res.end('{}')).listen(fixed, '127.0.0.1');
    try {
      await new Promise((r) => other.once('listening', r));
      const start = `{ mode: command, command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SERVER)}, '\${PORT}'], env: { ISSUER: 'http://127.0.0.1:\${PORT}' }, port: ${fixed}, ready_timeout: 5s }`;
      const err = (await startCommand(loadProfile(profile(start, 'http://127.0.0.1:${PORT}'))).then(() => undefined, (e: unknown) => e)) as Error;
      expect(err.message).toMatch(new RegExp(`start\\.port ${fixed}: something already answers at 127\\.0\\.0\\.1:${fixed} before the command starts`));
    } finally {
      other.close();
    }
  });
});
