// `npm run conformance` (or another command of src/cli/) as a child process, for the tests that
// drive the whole CLI; the results a run wrote; and what a run may leave behind (a port, a
// process). Asynchronous: a provider started in the test process keeps answering.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { commandArgs, ROOT } from '../src/cli/run.ts';

export function cli(args: string[], timeout = 120_000, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, commandArgs(path.join(ROOT, 'src/cli/main.ts'), ...args), { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...extraEnv } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

export type Result = { id: string; client?: string; outcome: string; severity: string; blockedBy?: string; message?: string; evidence?: unknown[]; durationMs?: number };

/** A report folder `dir` (made) whose results.json holds one failure-severity check per id with
 *  the given outcome: what `npm run compare` reads. Returns `dir`. */
export function writeResults(dir: string, outcomes: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  const results = Object.entries(outcomes).map(([id, outcome]) => ({ id, outcome, suite: 's', title: 't', severity: 'failure', spec: '', evidence: [], durationMs: 0 }));
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ results }));
  return dir;
}

/** The check results a run wrote into `reportDir` (empty when it wrote none). */
export function resultsOf(reportDir: string): Result[] {
  try {
    return (JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as { results: Result[] }).results;
  } catch {
    return [];
  }
}

/** A command of src/cli/ (`main.ts`, `npm run conformance`, by default) started and left running:
 *  its exit code (128 when a signal ended it), its output so far, and a wait for a line of it.
 *  `env`: more environment (a marker to find its processes by). */
export function startCli(args: string[], options: { script?: string; env?: Record<string, string>; underShell?: boolean } = {}) {
  const argv = [process.execPath, ...commandArgs(path.join(ROOT, 'src/cli', options.script ?? 'main.ts'), ...args)];
  const env = { ...process.env, FORCE_COLOR: '0', ...options.env };
  // underShell: under `sh -c`, as npm runs a script (dash forks the command and waits, no exec).
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const child = options.underShell ? spawn('sh', ['-c', argv.map(quote).join(' ')], { cwd: ROOT, env }) : spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env });
  let out = '';
  const watchers = new Set<() => void>();
  const add = (d: Buffer) => {
    out += d.toString();
    for (const w of watchers) w();
  };
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  /** Resolves when the output matches `re` (checked on every chunk, no polling). */
  const waitFor = (re: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${re} not seen: ${out}`)), timeoutMs);
      const check = () => {
        if (!re.test(out)) return;
        clearTimeout(timer);
        watchers.delete(check);
        resolve();
      };
      watchers.add(check);
      check();
    });
  return { child, exited, output: () => out, waitFor };
}

/** Whether nothing listens on loopback `port`. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Processes whose environment names `marker` (Linux /proc): what a run left behind. */
export function processesWith(marker: string): number[] {
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
