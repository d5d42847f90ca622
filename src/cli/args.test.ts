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
});
