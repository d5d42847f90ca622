// A run killed outright leaves its private folder (secrets, the profile); the next run removes it,
// and only folders whose run is gone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePrivateDir, sweepPrivateDirs } from './private-dir.ts';
import { tempDir } from '../../test/thrown.ts';

describe('private run folders', () => {
  it('are made per run, this user only, named by the run process', () => {
    const base = tempDir('private-dir-');
    const dir = makePrivateDir(base);
    expect(path.basename(dir)).toMatch(new RegExp(`^oidc-harness-${process.pid}-`));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('of runs that are gone are removed; running ones, and folders of other names, are left', () => {
    const base = tempDir('private-dir-');
    const gonePid = spawnSync(process.execPath, ['-e', '']).pid;
    const gone = path.join(base, `oidc-harness-${gonePid}-AbC123`);
    const running = path.join(base, `oidc-harness-${process.ppid}-DeF456`);
    const older = path.join(base, 'oidc-harness-XyZ789');
    for (const dir of [gone, running, older]) {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'secrets.json'), '["s"]', { mode: 0o600 });
    }
    expect(sweepPrivateDirs(base)).toEqual([gone]);
    expect([gone, running, older].map((d) => existsSync(d))).toEqual([false, true, true]);
    // The next run's own folder comes after the sweep.
    const made = makePrivateDir(base);
    expect(existsSync(made) && existsSync(running)).toBe(true);
  });
});
