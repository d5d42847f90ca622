// Whether a process still runs: what tells a leftover of a run killed outright (SIGKILL, which
// lets it clean up nothing) from one still in use. Its containers carry the owner's pid in a label
// (src/targets/container.ts), its private folder in its name (src/cli/private-dir.ts).

/** True while `pid` runs (also when it is another user's: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
