// A provider started as a local process: spawned in its own process group so stop() ends it and
// everything it started.

import { spawn } from 'node:child_process';
import type { TargetProfile } from '../model/target.ts';
import type { StartedTarget } from './types.ts';
import { waitForDiscovery } from './wait.ts';

export async function startCommand(profile: TargetProfile): Promise<StartedTarget> {
  const start = profile.start;
  if (start.mode !== 'command') throw new Error('not a command target');
  const issuer = profile.issuer;
  if (!issuer) throw new Error(`${profile.file}: issuer is required for command targets`);
  const [cmd, ...args] = [start.command, ...start.args];
  const child = spawn(cmd!, args, { cwd: start.cwd, env: { ...process.env, ...start.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited || child.pid === undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
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
  };
  try {
    await waitForDiscovery(issuer, start.readyTimeoutMs, () => !exited);
  } catch (err) {
    await stop();
    const tail = output.join('').trim().split('\n').slice(-5).join(' | ');
    throw new Error(`${err instanceof Error ? err.message : String(err)}${tail ? `; last output: ${tail}` : ''}`);
  }
  return { name: profile.name, issuer, notes: [`command: ${[cmd, ...args].join(' ')} (pid ${child.pid})`], stop };
}
