import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './args.ts';

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
});
