// The verdicts that differ between report folders of several runs (the first is the baseline), as
// lines to print and an exit code: 0 when all agree, 1 when one differs, 2 on bad input. Run by
// `npm run compare` (src/cli/compare.ts).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckResult } from '../model/check.ts';
import { compareVerdicts, formatChanges, verdictsOf } from './expected.ts';

function results(dir: string, resolve: (dir: string) => string): CheckResult[] {
  const file = path.join(dir, 'results.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path.join(resolve(dir), 'results.json'), 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const list = (json as { results?: unknown }).results;
  if (!Array.isArray(list)) throw new Error(`${file}: results: expected a list of check results`);
  return list as CheckResult[];
}

/** The lines to print and the exit code for comparing `dirs` against the first. The folders are
 *  read where `resolve` puts them (npm run compare: from the folder it was typed in) and printed
 *  as given. */
export function compareRuns(dirs: string[], resolve: (dir: string) => string = (dir) => path.resolve(dir)): { lines: string[]; code: number } {
  if (dirs.length < 2) return { lines: ['error: usage: npm run compare -- <report folder> <report folder> [...]'], code: 2 };
  const base = verdictsOf(results(dirs[0]!, resolve));
  const lines: string[] = [];
  let code = 0;
  for (const dir of dirs.slice(1)) {
    const changes = compareVerdicts(base, results(dir, resolve));
    if (changes.length) {
      code = 1;
      lines.push(formatChanges(changes, `${dirs[0]} -> ${dir}`).replace(/expected/g, 'was').replace(/observed/g, 'now'));
    } else lines.push(`${dir}: the same ${Object.keys(base).length} verdicts as ${dirs[0]}`);
  }
  return { lines, code };
}
