// A provider started as a local process: spawned in its own process group so stop() ends it and
// everything it started. With `start.port` (a number, or 'auto' for a free one picked here), the
// port is handed to the command as `${PORT}` in its arguments, env values and the issuer, as for
// container targets; without it nothing is templated. A run killed outright (SIGKILL) cannot stop
// it: its watchdog ends it, else the next run's start does (src/targets/leftovers.ts).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { TargetProfile } from '../model/target.ts';
import type { StartedTarget } from './types.ts';
import { fillTemplate } from './template.ts';
import { answers, freePort } from './port.ts';
import { waitForDiscovery } from './wait.ts';
import { guardCommand, OWNER_TOKEN_ENV } from './leftovers.ts';

/** `track` is called with the process's stop as soon as it is spawned, so an interrupt while it
 *  starts up (before discovery answers) still ends it. */
export async function startCommand(profile: TargetProfile, options: { track?: (stop: () => Promise<void>) => void } = {}): Promise<StartedTarget> {
  const start = profile.start;
  if (start.mode !== 'command') throw new Error('not a command target');
  if (!profile.issuer) throw new Error(`${profile.file}: issuer is required for command targets`);
  const port = start.port === 'auto' ? await freePort() : start.port;
  const where = path.basename(profile.file);
  const vars = port === undefined ? undefined : { ...process.env, PORT: String(port) };
  const fill = (text: string, key: string) => (vars ? fillTemplate(text, vars, `${where}: ${key}`) : text);
  const issuer = fill(profile.issuer, 'issuer').replace(/\/$/, '');
  const [cmd, ...args] = [fill(start.command, 'start.command[0]'), ...start.args.map((a, i) => fill(a, `start.command[${i + 1}]`))];
  const env = Object.fromEntries(Object.entries(start.env).map(([k, v]) => [k, fill(v, `start.env.${k}`)]));
  // Node reports a missing cwd as the command not being found (spawn <command> ENOENT).
  if (start.cwd !== undefined && !statSync(start.cwd, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${where}: start.cwd: ${start.cwd} is not a folder`);
  // Readiness is discovery answering at the issuer: with a fixed port, a server already there
  // (another run, the provider started by hand) would answer for the command, and the run would
  // test it instead.
  const at = new URL(issuer);
  if (typeof start.port === 'number' && (await answers(at.hostname.replace(/^\[|\]$/g, ''), Number(at.port || (at.protocol === 'https:' ? 443 : 80))))) {
    throw new Error(`${where}: start.port ${start.port}: something already answers at ${at.host} before the command starts (another run, or the provider already running?)`);
  }
  const token = randomBytes(16).toString('hex');
  const child = spawn(cmd!, args, { cwd: start.cwd, env: { ...process.env, ...env, [OWNER_TOKEN_ENV]: token }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const guard = child.pid === undefined ? undefined : guardCommand(child.pid, token, [cmd, ...args].join(' '));
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  // Not started at all (no such executable, not executable): 'error' instead of 'exit'.
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    spawnError = err;
    exited = true;
  });
  const stop = async () => {
    if (exited || child.pid === undefined) return guard?.release();
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return guard?.release();
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await gone;
    clearTimeout(timer);
    // Only now: killed meanwhile, the CLI leaves the group to its watchdog and record.
    guard?.release();
  };
  options.track?.(stop);
  try {
    await waitForDiscovery(issuer, start.readyTimeoutMs, () => !exited);
  } catch (err) {
    await stop();
    if (spawnError) throw new Error(`${where}: start.command: ${cmd} could not be started (${spawnError.code ?? spawnError.message})`);
    const tail = output.join('').trim().split('\n').slice(-5).join(' | ');
    throw new Error(`${err instanceof Error ? err.message : String(err)}${tail ? `; last output: ${tail}` : ''}`);
  }
  return { name: profile.name, issuer, notes: [`command: ${[cmd, ...args].join(' ')} (pid ${child.pid}${port !== undefined ? `, port ${port}` : ''})`], stop };
}
