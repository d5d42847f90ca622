import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile } from '../config/profile.ts';
import { ConfigError } from '../config/errors.ts';
import { tempDir, tempFiles, thrown } from '../../test/thrown.ts';
import { ROOT, TYPESCRIPT_HOOKS } from '../cli/run.ts';
import { bootId, processGroup, processStart } from './alive.ts';
import { stateDir, sweepCommandLeftovers } from './leftovers.ts';
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

describe.skipIf(!existsSync('/proc'))('a command target whose run is killed outright (SIGKILL)', () => {
  const SLEEPER = 'setInterval(() => {}, 1000)';

  /** A run in a child process (its temp folder, so its run-state folder, is `tmp`): starts a command
   *  target that serves discovery, prints the provider's pid, and waits to be killed. */
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // ended, as it should be
      }
    }
  });

  async function runInChild(tmp: string): Promise<{ run: ChildProcess; provider: number }> {
    const p = profile(`{ mode: command, command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SERVER)}, '\${PORT}'], env: { ISSUER: 'http://127.0.0.1:\${PORT}' }, port: auto, ready_timeout: 10s }`, 'http://127.0.0.1:${PORT}');
    const code = [
      `import { loadProfile } from ${JSON.stringify(path.join(ROOT, 'src/config/profile.ts'))};`,
      `import { startCommand } from ${JSON.stringify(path.join(ROOT, 'src/targets/command.ts'))};`,
      `const target = await startCommand(loadProfile(${JSON.stringify(p)}));`,
      "console.log('provider', /pid (\\d+)/.exec(target.notes[0])[1]);",
      SLEEPER,
    ].join('\n');
    const run = spawn(process.execPath, ['--import', TYPESCRIPT_HOOKS, '--input-type=module', '-e', code], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    started.push(run.pid!);
    const provider = await new Promise<number>((resolve, reject) => {
      let out = '';
      run.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /provider (\d+)/.exec(out);
        if (!m) return;
        started.push(Number(m[1]));
        resolve(Number(m[1]));
      });
      run.once('exit', () => reject(new Error(`the run ended before its provider answered: ${out}`)));
    });
    return { run, provider };
  }

  async function killed(run: ChildProcess): Promise<void> {
    const exit = new Promise((r) => run.once('exit', r));
    run.kill('SIGKILL');
    await exit;
  }

  function cmdline(pid: string): string {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      return '';
    }
  }

  async function gone(pid: number, withinMs: number): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    while (processGroup(pid) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return processGroup(pid) === undefined;
  }

  it('its watchdog ends the provider at once', async () => {
    const { run, provider } = await runInChild(tempDir('harness-killed-'));
    expect(processGroup(provider)).toBe(provider);
    await killed(run);
    expect(await gone(provider, 10_000)).toBe(true);
  }, 30_000);

  it('with its watchdog gone too, the next start ends the provider from its record', async () => {
    const tmp = tempDir('harness-killed-');
    const { run, provider } = await runInChild(tmp);
    const watchdogs = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && cmdline(d).includes(`oidc-harness-watch\0${provider}`)).map(Number);
    expect(watchdogs).toHaveLength(1);
    process.kill(watchdogs[0]!, 'SIGKILL');
    await killed(run);
    expect(await gone(provider, 1_000)).toBe(false);
    const dir = stateDir(tmp)!;
    expect(readdirSync(dir)).toEqual([`command-${provider}.json`]);
    const ended = await sweepCommandLeftovers(dir);
    expect(ended).toEqual([expect.stringMatching(new RegExp(`^ended .* \\(process group ${provider}\\), left running by run ${run.pid}, which was killed$`))]);
    expect(await gone(provider, 1_000)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);

  it('a recorded pid now another process, or a run still going, is left alone', async () => {
    const dir = stateDir(tempDir('harness-reused-'))!;
    // An unrelated process group, as if the recorded pid had been given to it since.
    const other = spawn(process.execPath, ['-e', SLEEPER], { detached: true, stdio: 'ignore' });
    const ended = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => ended.once('exit', r));
    try {
      const record = (pgid: number, owner: { pid: number; start?: string }, start: string | undefined) => ({ pgid, start, boot: bootId(), owner, token: 'a'.repeat(32), command: 'provider' });
      writeFileSync(path.join(dir, `command-${other.pid}.json`), JSON.stringify(record(other.pid!, { pid: ended.pid! }, '1')));
      const mine = path.join(dir, `command-${other.pid! + 1}.json`);
      writeFileSync(mine, JSON.stringify(record(other.pid! + 1, { pid: process.pid, start: processStart(process.pid)! }, undefined)));
      expect(await sweepCommandLeftovers(dir)).toEqual([]);
      expect(processGroup(other.pid!)).toBe(other.pid);
      // The dead run's record is dropped; the running one's (this process) is kept.
      expect(readdirSync(dir)).toEqual([path.basename(mine)]);
    } finally {
      other.kill('SIGKILL');
    }
  });
});
