// `npm run conformance`: exit 0 when every failure-severity check passed, 1 when one failed,
// 2 on bad input or a provider that cannot be reached (one line, no stack trace).

import { readSettings } from '../config/settings.ts';
import { parseCli, USAGE, UsageError } from './args.ts';
import { runConformance } from './run.ts';
import { runMain } from './entry.ts';

async function main(): Promise<number> {
  const options = parseCli(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  // Every HARNESS_* setting checked before anything starts.
  readSettings(process.env);
  const outcome = await runConformance(options);
  console.log(`finished in ${(outcome.wallMs / 1000).toFixed(1)} s, exit ${outcome.exitCode}`);
  return outcome.exitCode;
}

runMain(main, (err) => err instanceof UsageError, USAGE);
