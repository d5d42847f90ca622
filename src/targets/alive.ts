// Whether a process still runs, and which process a pid is: what tells a leftover of a run killed
// outright (SIGKILL, which lets it clean up nothing) from one still in use, and from an unrelated
// process that was given the same pid since. Its containers carry the owner's pid in a label
// (src/targets/container.ts), its private folder in its name (src/cli/private-dir.ts), its command
// targets' process groups a record (src/targets/leftovers.ts).

import { readFileSync } from 'node:fs';

/** True while `pid` runs (also when it is another user's: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses):
 *  [0] is the state, [2] the process group, [13] and [14] the user and system CPU of its ended,
 *  waited-for children, [19] the start time in clock ticks since boot (proc(5)). Undefined where
 *  there is no such process, or no /proc (not Linux). */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU-seconds (user and system) of this process's children that have ended and been waited for,
 *  their own waited-for children included (clock ticks of 1/100 s); undefined without /proc. */
export function waitedChildrenCpuSeconds(): number | undefined {
  const fields = statFields('self');
  return fields && (Number(fields[13]) + Number(fields[14])) / 100;
}

/** When `pid` started (clock ticks since boot, as text): with the pid and the boot, a process's
 *  identity; a pid reused by another process has another start. Undefined without /proc. */
export function processStart(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** The process group of `pid`, undefined when it is gone (or a zombie: it runs nothing). */
export function processGroup(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields && fields[0] !== 'Z' ? Number(fields[2]) : undefined;
}

/** This boot of the machine (Linux): start times count from it, so a record of another boot names
 *  no process that still runs. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
  } catch {
    return undefined;
  }
}
