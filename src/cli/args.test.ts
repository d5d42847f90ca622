import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './args.ts';
import { ROOT } from './run.ts';

/** The UsageError parseCli throws for `argv` (its one line), or fails the test. */
function usageError(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`parseCli accepted ${JSON.stringify(argv)}`);
}

describe('npm run conformance options', () => {
  // '--report-dir ""' resolved to the package root: the report was written over the project's files.
  it.each(['--report-dir', '--target', '--grep', '--image', '--issuer', '--workers'])('an empty %s is a usage error naming it', (option) => {
    expect(usageError([option, ''])).toBe(`${option}: empty; give a value or leave the option out`);
  });

  // npm runs the CLI in the package root: `cd docker && npm run conformance -- --target oidc-provider`
  // looked for <root>/oidc-provider.
  it('reads --target and --report-dir from the folder npm was typed in (INIT_CWD)', () => {
    const docker = path.join(ROOT, 'docker');
    const options = parseCli(['--target', 'oidc-provider', '--report-dir', 'out'], { INIT_CWD: docker });
    expect(options.target).toBe(path.join(docker, 'oidc-provider'));
    expect(options.reportDir).toBe(path.join(docker, 'out'));
  });

  // parseArgs kept the last of a repeated option: '--grep a --grep b' ran b's checks alone.
  it('a repeated option is a usage error naming it; --grep says how to give alternatives', () => {
    expect(usageError(['--grep', 'a', '--grep', 'b'])).toBe("--grep: given more than once; give one pattern, with alternatives joined by | ('a|b')");
    expect(usageError(['--target', 'x', '--target=y'])).toBe('--target: given more than once; give it once');
    expect(parseCli(['--grep', 'code\\.exchange|id-token']).grep).toBe('code\\.exchange|id-token');
  });

  // '--workers -1' gave "Option '--workers' argument is ambiguous." (parseArgs' question about a
  // forgotten value); Number() let '0x10' and '1e1' through.
  it.each(['0', '-1', '1.5', 'two', '0x10', '1e1', ' 2'])('--workers %j is a usage error naming --workers', (value) => {
    expect(usageError(['--workers', value])).toBe(`--workers: not a positive whole number: ${value}`);
  });

  // --update-expected with --grep wrote a file of the filtered checks' verdicts alone: the other
  // 456 verdicts of docker/oidc-provider/expected-results.json were gone.
  it('--update-expected with --grep is a usage error', () => {
    expect(usageError(['--update-expected', '--grep', 'code\\.exchange'])).toBe('--update-expected rewrites every verdict of the target from this run: run it without --grep');
    expect(parseCli(['--update-expected']).updateExpected).toBe(true);
  });

  it('a value that starts with a dash is the value; an option in its place is a value left out', () => {
    expect(parseCli(['--grep', '-foo']).grep).toBe('-foo');
    expect(parseCli(['--workers', '3']).workers).toBe(3);
    expect(usageError(['--target', '--workers', '2'])).toBe('--target: no value (--workers follows it, an option)');
  });
});
