// Command targets left by a run that was killed outright. A command target's provider runs in a
// process group of its own (src/targets/command.ts), which the run's stop and its interrupt
// handler end; SIGKILL lets the CLI do neither. Two guards, as containers have their label and
// the next run's sweep (src/targets/container.ts):
// - a watchdog: a shell outside the group, reading a pipe only the CLI writes; the pipe's end
//   without the CLI's word that it stopped the provider itself (its death) ends the group;
// - a record of the group in this user's run-state folder, which the next run's start reads
//   (sweepCommandLeftovers): a group whose owning run is gone is ended, when it is still the
//   same group (its leader's start time, or the record's token in its processes' environment:
//   never an unrelated process that was given a recorded pid since).

import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bootId, processAlive, processGroup, processStart } from './alive.ts';

/** In a command target's environment: its processes carry the token of its record, which finds
 *  those of its group that outlive the group's leader. */
export const OWNER_TOKEN_ENV = 'OIDC_HARNESS_OWNER_TOKEN';

/** What a record holds: the group (its leader's pid and start), the machine's boot, the run that
 *  started it (pid and start) and the token given to its processes. */
interface CommandRecord {
  pgid: number;
  start?: string;
  boot?: string;
  owner: { pid: number; start?: string };
  token: string;
  command: string;
}

/** This user's run-state folder, `$TMPDIR/oidc-harness-state-<uid>` (mode 0700), or undefined when
 *  the name is taken by something that is not this user's folder (never trusted then). */
export function stateDir(tmpdir: string = os.tmpdir()): string | undefined {
  const dir = path.join(tmpdir, `oidc-harness-state-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

// Tells its group from an unrelated one by `kill -s` (dash refuses `kill -TERM -- -<pgid>`); waits
// up to 5 s for it to end before SIGKILL.
const WATCH = [
  'if read -r _; then exit 0; fi',
  'kill -s TERM -- "-$1" 2>/dev/null || exit 0',
  'i=0; while [ $i -lt 50 ] && kill -s 0 -- "-$1" 2>/dev/null; do sleep 0.1; i=$((i+1)); done',
  'kill -s KILL -- "-$1" 2>/dev/null',
].join('\n');

/** Guards process group `pgid` (the provider spawned with `token` in its environment, running
 *  `command`) against the CLI's death: records it and starts its watchdog. `release()`, before the
 *  run has stopped the group itself, stands both down (once; later calls do nothing). */
export function guardCommand(pgid: number, token: string, command: string, dir: string | undefined = stateDir()): { release: () => void } {
  const file = dir && path.join(dir, `command-${pgid}.json`);
  if (file) {
    const record: CommandRecord = { pgid, ...optional('start', processStart(pgid)), ...optional('boot', bootId()), owner: { pid: process.pid, ...optional('start', processStart(process.pid)) }, token, command };
    try {
      writeFileSync(file, JSON.stringify(record), { mode: 0o600 });
    } catch {
      // no record: the watchdog still guards the group
    }
  }
  // Its own group: a Ctrl-C at the terminal reaches the CLI, which stops the provider, not it.
  const watchdog = spawn('/bin/sh', ['-c', WATCH, 'oidc-harness-watch', String(pgid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  // Neither keeps the CLI's event loop alive; the pipe's end (the CLI's exit) is the watchdog's cue.
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      watchdog.stdin?.end('stopped\n');
      if (file) rmSync(file, { force: true });
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** Ends the command targets recorded in `dir` whose run is gone, and drops their records: returns
 *  one line for each group ended. A record of a run still going is left; a record of another boot
 *  or of a group that has ended is dropped. Linux only (/proc): elsewhere the watchdog alone
 *  guards. */
export async function sweepCommandLeftovers(dir: string | undefined = stateDir()): Promise<string[]> {
  const ended: string[] = [];
  let names: string[];
  try {
    names = dir ? readdirSync(dir).filter((n) => /^command-\d+\.json$/.test(n)) : [];
  } catch {
    return ended;
  }
  for (const name of names) {
    const file = path.join(dir!, name);
    const record = readRecord(file);
    if (record && record.boot === bootId() && ownerRuns(record.owner)) continue;
    if (record && record.boot === bootId() && (await endGroup(record))) ended.push(`ended ${record.command} (process group ${record.pgid}), left running by run ${record.owner.pid}, which was killed`);
    rmSync(file, { force: true });
  }
  return ended;
}

function readRecord(file: string): CommandRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as CommandRecord;
    return Number.isInteger(r.pgid) && r.pgid > 1 && Number.isInteger(r.owner?.pid) && typeof r.token === 'string' && r.token.length >= 16 ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The run that recorded a group still runs: its pid alive, with its recorded start. */
function ownerRuns(owner: CommandRecord['owner']): boolean {
  return processAlive(owner.pid) && (owner.start === undefined || processStart(owner.pid) === owner.start);
}

/** The recorded group's processes: all of the group while its leader (the recorded start) runs,
 *  else those carrying the record's token. */
function groupOf(record: CommandRecord): number[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
  const members = pids.filter((pid) => processGroup(pid) === record.pgid);
  if (record.start !== undefined && processStart(record.pgid) === record.start) return members;
  return members.filter((pid) => carries(pid, record.token));
}

function carries(pid: number, token: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${OWNER_TOKEN_ENV}=${token}`);
  } catch {
    return false;
  }
}

/** SIGTERM to the group's processes, SIGKILL to those left after 5 s; false when none was left. */
async function endGroup(record: CommandRecord): Promise<boolean> {
  const pids = groupOf(record);
  if (pids.length === 0) return false;
  const signal = (s: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        if (processGroup(pid) === record.pgid) process.kill(pid, s);
      } catch {
        // gone meanwhile
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 5_000;
  while (pids.some((pid) => processGroup(pid) === record.pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  signal('SIGKILL');
  return true;
}
