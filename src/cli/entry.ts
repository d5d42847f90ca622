// How a command ends: its exit code, or one line for a mistake (exit 2, no stack trace).

import { ConfigError } from '../config/errors.ts';
import { SettingsError } from '../config/settings.ts';
import { SetupError } from './setup-error.ts';

/** Runs `main` and exits with its code. A thrown error is one line on stderr and exit 2: the
 *  whole message for known mistakes (already one line naming the file and field), the first
 *  line otherwise; a usage error (`isUsage`: a wrong option or argument) ends with `hint` in
 *  parentheses (where the usage is: `--help`), not with the usage itself. */
export function runMain(main: () => Promise<number>, isUsage: (err: unknown) => boolean, hint: string): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const known = err instanceof ConfigError || err instanceof SetupError || err instanceof SettingsError;
      console.error(isUsage(err) ? `error: ${message.split('\n')[0]} (${hint})` : `error: ${known ? message : message.split('\n')[0]}`);
      process.exit(2);
    },
  );
}
