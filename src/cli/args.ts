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
  Each option is given once (a repeated one is refused, not the last one taken).
  --issuer points the target's profile at an already-running provider.
  --grep runs the checks whose title line matches the pattern, a regular expression (any case); the
         line is the suite's file, the client, the check's id and its title, joined by spaces:
         'code\\.exchange' is one check on every client, 'login\\.spec' the login suite; several
         patterns are one, joined by | ('code\\.exchange|id-token').
  --image runs a container target from the given image (a build to certify) instead of its own.
  --rebuild builds a container target's image even when it exists.
  --update-expected rewrites the target's expected-results file (its expected_results) from this
                    run (not with --grep).
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

const OPTIONS = {
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
} as const;

/** Whether `--name` is an option that takes a value. */
function takesValue(name: string): boolean {
  return Object.hasOwn(OPTIONS, name) && OPTIONS[name as keyof typeof OPTIONS].type === 'string';
}

/** `argv` with the value of an option that takes one joined to it (`--workers=-1`) where that value
 *  starts with a dash: parseArgs takes such a value for a forgotten one ('--workers -1': "Option
 *  '--workers' argument is ambiguous", all the line a user saw), where here it is the value, then
 *  checked as any other ('--workers -1': not a positive whole number; '--grep -foo': a pattern).
 *  An option in its place is a value left out ('--target --workers 2'). */
function withDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (name === undefined || !takesValue(name) || next === undefined || !next.startsWith('-')) {
      out.push(arg);
      continue;
    }
    if (next.startsWith('--') || next === '-h') throw new UsageError(`--${name}: no value (${next} follows it, an option)`);
    out.push(`${arg}=${next}`);
    i++;
  }
  return out;
}

/** The options in `argv`; the paths in them made absolute against the folder the command was typed
 *  in (`env`'s INIT_CWD: src/cli/user-path.ts). */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  let tokens;
  try {
    ({ values, tokens } = parseArgs({ args: withDashValues(argv), options: OPTIONS, strict: true, allowPositionals: false, tokens: true }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  // parseArgs keeps the last of a repeated option: '--grep a --grep b' ran b's checks alone, and
  // '--target x --target y' ran y. No option here takes several values, so a repeat is a mistake.
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || !takesValue(token.name)) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name}: given more than once${token.name === 'grep' ? "; give one pattern, with alternatives joined by | ('a|b')" : '; give it once'}`);
    seen.add(token.name);
  }
  // An empty value ('--report-dir ""', or a shell variable that was never set) is a mistake, never
  // a choice: path.resolve('') is the package root (the report went over the project's own files),
  // and an empty --grep or --image was taken as no option at all.
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError(`--${name}: empty; give a value or leave the option out`);
  }
  // Digits only: Number() also took '0x10', '1e1' and ' 2'.
  const workers = values.workers === undefined ? undefined : /^\d+$/.test(values.workers as string) ? Number(values.workers) : NaN;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new UsageError(`--workers: not a positive whole number: ${String(values.workers)}`);
  if (typeof values.grep === 'string') checkGrep(values.grep);
  // The file is rewritten from the run's verdicts: a filtered run would drop every other check's.
  if (values['update-expected'] === true && typeof values.grep === 'string') throw new UsageError('--update-expected rewrites every verdict of the target from this run: run it without --grep');
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
