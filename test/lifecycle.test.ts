// Everything started is stopped: a `command` target's process after a run, and the provider,
// relying parties and Playwright after Ctrl-C in the middle of a run.

import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../src/cli/run.ts';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Processes whose environment names `marker` (Linux /proc): what a run left behind. */
function processesWith(marker: string): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/environ`, 'latin1').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  /** Resolves when the output matches `re` (checked on every chunk, no polling). */
  const waitFor = (re: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${re} not seen: ${out}`)), timeoutMs);
      const check = () => {
        if (!re.test(out)) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      check();
    });
  return { child, exited, output: () => out, waitFor };
}

describe('lifecycle', () => {
  it('a command target runs the suites and its process is gone afterwards', async () => {
    const port = 47600 + Math.floor(Math.random() * 300);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-cmd-'));
    const profile = path.join(dir, 'target.yml');
    writeFileSync(
      profile,
      [
        'name: command-reference',
        `start: { mode: command, command: [${JSON.stringify(process.execPath)}, --import, tsx, scripts/reference-server.ts, --port, "${port}"], cwd: ${JSON.stringify(ROOT)}, ready_timeout: 30s }`,
        `issuer: http://127.0.0.1:${port}`,
        `config: ${JSON.stringify(path.join(ROOT, 'docker/reference/configuration.yml'))}`,
        'client_secrets: { rustdesk: insecure_secret, proxmox: insecure_secret, kasm: insecure_secret, myapp: insecure_secret }',
        'login: { driver: embedded }',
        'users: [{ username: john, password: john-test-password }, { username: mary, password: mary-test-password }]',
        '',
      ].join('\n'),
    );
    const run = startCli(['--target', profile, '--grep', 'discovery|code.exchange', '--report-dir', path.join(dir, 'report')]);
    const code = await run.exited;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/checks: \d+ passed, 0 failed/);
    expect(await portFree(port)).toBe(true);
  }, 120_000);

  it('Ctrl-C in the middle of a run stops the provider, the relying parties and Playwright', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-int-'));
    const run = startCli(['--report-dir', path.join(dir, 'report')]);
    // Wait for the suites to be under way: the relying parties are listening by then.
    await run.waitFor(/Running \d+ tests/, 60_000);
    expect(await portFree(47011)).toBe(false);
    if (existsSync('/proc')) expect(processesWith(path.join(dir, 'report')).length).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(code).toBe(130);
    expect(await portFree(47011)).toBe(true);
    expect(await portFree(47015)).toBe(true);
    // Playwright and its workers carry the run's report folder in their environment.
    expect(processesWith(path.join(dir, 'report'))).toEqual([]);
  }, 120_000);
});
