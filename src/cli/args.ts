// Command-line arguments of `npm run conformance`.

import { parseArgs } from 'node:util';
import type { RunOptions } from './run.ts';
import { existingUserPath, userPath } from './user-path.ts';

/** The run's options as given on the command line, plus --help. */
export interface CliOptions extends Omit<RunOptions, 'stdio' | 'rebuild' | 'updateExpected' | 'reverse' | 'full'> {
  rebuild: boolean;
  reverse: boolean;
  full: boolean;
  updateExpected: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run conformance -- [--target <profile.yml | folder with target.yml>] [--issuer <url>]
                              [--workers N] [--grep <pattern>] [--report-dir <dir>]
                              [--image <ref>] [--rebuild] [--update-expected] [--reverse] [--full]
  With no --target, runs every suite against the embedded reference provider (docker/reference).
  Relative paths are read from the folder the command was typed in (a --target not found there, from
  the package's own folder: docker/oidc-provider works from anywhere).
  --issuer points the target's profile at an already-running provider.
  --grep runs the checks whose title line matches the pattern, a regular expression (any case); the
         line is the suite's file, the client, the check's id and its title, joined by spaces:
         'code\\.exchange' is one check on every client, 'login\\.spec' the login suite.
  --image runs a container target from the given image (a build to certify) instead of its own.
  --rebuild builds a container target's image even when it exists.
  --update-expected rewrites the target's expected-results file from this run.
  --reverse runs the suites one after another in reverse order, each check dispatched on its own to
            whichever worker is free (verdicts must not depend on order or scheduling; slower).
  --full (certification) also watches configured lifespans of up to 5 minutes run out (codes, tokens,
         pre-configured consent), all at once in the background, races parallel refreshes, and
         records the screencast in the traces of failed browser checks.`;

/** `--grep` as Playwright reads it (`/source/flags`, or a pattern matched case-insensitively);
 *  a pattern that is not a regular expression is a usage error here, not a run Playwright fails. */
function checkGrep(grep: string): void {
  const literal = /^\/(.*)\/([gi]*)$/.exec(grep);
  try {
    void (literal ? new RegExp(literal[1]!, literal[2]) : new RegExp(grep, 'gi'));
  } catch (err) {
    throw new UsageError(`--grep ${JSON.stringify(grep)}: not a regular expression (${err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err)})`);
  }
}

/** The options in `argv`; the paths in them made absolute against the folder the command was typed
 *  in (`env`'s INIT_CWD: src/cli/user-path.ts). */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        issuer: { type: 'string' },
        workers: { type: 'string' },
        grep: { type: 'string' },
        'report-dir': { type: 'string' },
        image: { type: 'string' },
        rebuild: { type: 'boolean' },
        'update-expected': { type: 'boolean' },
        reverse: { type: 'boolean' },
        full: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  // An empty value ('--report-dir ""', or a shell variable that was never set) is a mistake, never
  // a choice: path.resolve('') is the package root (the report went over the project's own files),
  // and an empty --grep or --image was taken as no option at all.
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError(`--${name}: empty; give a value or leave the option out`);
  }
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new UsageError(`--workers: not a positive whole number: ${String(values.workers)}`);
  if (typeof values.grep === 'string') checkGrep(values.grep);
  if (typeof values.issuer === 'string') {
    try {
      const u = new URL(values.issuer);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`--issuer: not an http(s) URL: ${values.issuer}`);
    }
  }
  return {
    ...(typeof values.target === 'string' ? { target: existingUserPath(values.target, env) } : {}),
    ...(typeof values.issuer === 'string' ? { issuer: values.issuer.replace(/\/$/, '') } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(typeof values.grep === 'string' ? { grep: values.grep } : {}),
    ...(typeof values['report-dir'] === 'string' ? { reportDir: userPath(values['report-dir'], env) } : {}),
    ...(typeof values.image === 'string' ? { image: values.image } : {}),
    rebuild: values.rebuild === true,
    updateExpected: values['update-expected'] === true,
    reverse: values.reverse === true,
    full: values.full === true,
    help: values.help === true,
  };
}
