import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/thrown.ts';
import { ROOT } from './run.ts';
import { existingUserPath, userDir, userPath } from './user-path.ts';

// `npm run` starts the CLI in the package root: a relative path read against the working folder
// there missed what the user named from a subfolder (`cd docker; --target oidc-provider`).
describe('paths the user gives', () => {
  const typedIn = tempDir('harness-user-dir-');
  mkdirSync(path.join(typedIn, 'mine'));

  it('are relative to the folder npm was typed in (INIT_CWD), else to the working folder', () => {
    expect(userPath('out', { INIT_CWD: typedIn })).toBe(path.join(typedIn, 'out'));
    expect(userPath('/abs/out', { INIT_CWD: typedIn })).toBe('/abs/out');
    expect(userDir({})).toBe(process.cwd());
    expect(userPath('out', {})).toBe(path.resolve('out'));
  });

  it('that must exist are looked for there first, then in the package root, where the shipped ones are', () => {
    expect(existingUserPath('oidc-provider', { INIT_CWD: path.join(ROOT, 'docker') })).toBe(path.join(ROOT, 'docker/oidc-provider'));
    expect(existingUserPath('mine', { INIT_CWD: typedIn })).toBe(path.join(typedIn, 'mine'));
    // docker/oidc-provider as the README gives it, typed in any folder.
    expect(existingUserPath('docker/oidc-provider', { INIT_CWD: typedIn })).toBe(path.join(ROOT, 'docker/oidc-provider'));
    // Found nowhere: the one the user meant, for the "not found" line.
    expect(existingUserPath('nowhere', { INIT_CWD: typedIn })).toBe(path.join(typedIn, 'nowhere'));
  });
});
