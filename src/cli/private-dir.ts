// The run's private folder: the secrets the reports are redacted of and the run's inputs for
// Playwright's runner and workers (which hold the profile's secrets too), readable by this user
// only. Removed when the run ends, also on failure and interrupts; a run killed outright (SIGKILL)
// cleans up nothing, so the next run removes the folders whose run is gone, as it does their
// containers (src/targets/container.ts).

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../targets/alive.ts';

const PREFIX = 'oidc-harness-';
const OWNED = new RegExp(`^${PREFIX}(\\d+)-`);

/** Makes this run's folder in `tmpdir` (mode 0700), `oidc-harness-<pid>-<random>`, after removing
 *  those of runs that are gone (sweepPrivateDirs). */
export function makePrivateDir(tmpdir: string = os.tmpdir()): string {
  sweepPrivateDirs(tmpdir);
  return mkdtempSync(path.join(tmpdir, `${PREFIX}${process.pid}-`));
}

/** Removes the private folders in `tmpdir` that are this user's and whose run's process is gone;
 *  returns their paths. Folders of running runs, of other users and of other names are left. */
export function sweepPrivateDirs(tmpdir: string = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmpdir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = OWNED.exec(name)?.[1];
    if (!pid || processAlive(Number(pid))) continue;
    const dir = path.join(tmpdir, name);
    try {
      const st = statSync(dir);
      if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
