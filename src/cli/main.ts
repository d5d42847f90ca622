// `npm run conformance`: exit 0 when every failure-severity check passed, 1 when one failed,
// 2 on bad input or a provider that cannot be reached (one line, no stack trace).

import { readSettings } from '../config/settings.ts';
import { parseCli, USAGE, UsageError } from './args.ts';
import { useCompileCache } from './compile-cache.ts';
import { runMain } from './entry.ts';
import { startSuiteRunner } from './suite-runner.ts';

async function main(): Promise<number> {
  const options = parseCli(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  // Every HARNESS_* setting checked before anything starts.
  readSettings(process.env);
  // Before the runner is started (it and its workers inherit the cache) and the run's modules load.
  useCompileCache();
  // Playwright's runner first, then the run's own modules: both load at once, on two cores.
  const suites = startSuiteRunner(options);
  let run: typeof import('./run.ts');
  try {
    run = await import('./run.ts');
  } catch (err) {
    await suites.stop();
    throw err;
  }
  const outcome = await run.runConformance(options, suites);
  console.log(`finished in ${(outcome.wallMs / 1000).toFixed(1)} s, exit ${outcome.exitCode}`);
  return outcome.exitCode;
}

runMain(main, (err) => err instanceof UsageError, 'npm run conformance -- --help lists the options');
