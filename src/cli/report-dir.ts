// The report folder a run writes into, made before anything is written there.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { SetupError } from './setup-error.ts';

/** Makes `dir` and its missing parents one level at a time. A level that cannot be made is one
 *  line (SetupError naming --report-dir, the level and the errno code). Not `mkdirSync(dir,
 *  { recursive: true })`: for some paths that never returns (under /proc it retries ENOENT for
 *  ever, Node 20 and 24), which left the CLI spinning and deaf to Ctrl-C. */
export function makeReportDir(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !existsSync(p); p = path.dirname(p)) {
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      if (code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw new SetupError(`--report-dir ${dir}: cannot make ${level} (${code})`);
    }
  }
}
