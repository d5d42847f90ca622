// `npm run compare -- <report folder> <report folder> ...`: the verdicts that differ between
// runs (the first is the baseline). Exit 0 when all agree, 1 when one differs, 2 on bad input.
// CI uses it to show that no verdict depends on the number of workers or the order of the suites.

import { compareRuns } from '../report/compare-runs.ts';
import { existingUserPath } from './user-path.ts';

// This module is only ever the command itself (the comparison is src/report/compare-runs.ts), so
// it runs unconditionally: a check whether it is the main module, by comparing import.meta.url with
// process.argv[1], silently did nothing where the checkout's path has a space, `#` or `%` (encoded
// in the URL) or is reached through a symlink.
try {
  const { lines, code } = compareRuns(process.argv.slice(2), existingUserPath);
  for (const l of lines) (code === 2 ? console.error : console.log)(l);
  process.exit(code);
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
