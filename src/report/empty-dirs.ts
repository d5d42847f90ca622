// Folders a run made and left empty (Playwright's per-test output folders, a report folder of a run
// that stopped at setup): removed, anything holding a file kept.

import { readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/** Removes `dir` and the folders under it that hold no file (a file anywhere below keeps its
 *  folders). True when `dir` itself was removed. */
export function removeEmptyDirs(dir: string): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  let empty = true;
  for (const e of entries) {
    if (!e.isDirectory() || !removeEmptyDirs(path.join(dir, e.name))) empty = false;
  }
  if (!empty) return false;
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}
