// `npm run conformance`: exit 0 when every failure-severity check passed, 1 when one failed,
// 2 on bad input or a provider that cannot be reached (one line, no stack trace).

import { ConfigError } from '../config/errors.ts';
import { readSettings, SettingsError } from '../config/settings.ts';
import { parseCli, USAGE, UsageError } from './args.ts';
import { runConformance, SetupError } from './run.ts';

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

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    // ConfigError and SetupError messages are already one line naming the file and field.
    const known = err instanceof ConfigError || err instanceof SetupError || err instanceof SettingsError;
    console.error(err instanceof UsageError ? `error: ${message}\n${USAGE}` : `error: ${known ? message : message.split('\n')[0]}`);
    process.exit(2);
  },
);
