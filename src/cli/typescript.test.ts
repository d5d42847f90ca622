import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/thrown.ts';
import { commandArgs, ROOT, TYPESCRIPT_HOOKS } from './run.ts';

// Who loaded a file tells itself: a parameter property is TypeScript that tsx compiles and Node's
// type stripping refuses (ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX).
function loadProbe(nodeArgs: string[]): { status: number | null; out: string; err: string } {
  const dir = tempDir('ts-hooks-');
  const probe = path.join(dir, 'probe.mts');
  writeFileSync(probe, 'class A { constructor(readonly x: number) {} }\nconsole.log(`loaded ${new A(1).x}`);\n');
  const run = spawnSync(process.execPath, [...nodeArgs, '--import', TYPESCRIPT_HOOKS, probe], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

describe('src/cli/typescript.mjs', () => {
  const nodeStrips = Boolean((process.features as { typescript?: unknown }).typescript);

  it.runIf(nodeStrips)('leaves the .ts files to Node where Node strips types', () => {
    const run = loadProbe([]);
    expect(run.status).not.toBe(0);
    expect(run.err).toContain('ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX');
  });

  it.runIf(nodeStrips)('loads them through tsx where Node does not strip types', () => {
    const run = loadProbe(['--no-experimental-strip-types']);
    expect(run.err).toBe('');
    expect(run.out).toBe('loaded 1\n');
  });

  it('starts the CLI, and loads what a run loads, either way', () => {
    // --help returns before the run's modules are imported: those are loaded here by name.
    const modules = ['src/cli/run.ts', 'src/targets/embedded/provider.ts'].map((m) => JSON.stringify(pathToFileURL(path.join(ROOT, m)).href));
    const script = `${modules.map((m) => `await import(${m});`).join(' ')} console.log('loaded');`;
    for (const nodeArgs of nodeStrips ? [[], ['--no-experimental-strip-types']] : [[]]) {
      const run = spawnSync(process.execPath, [...nodeArgs, ...commandArgs(path.join(ROOT, 'src/cli/main.ts'), '--help')], { encoding: 'utf8', cwd: ROOT });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('usage: npm run conformance');
      const loaded = spawnSync(process.execPath, [...nodeArgs, '--import', TYPESCRIPT_HOOKS, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout).toBe('loaded\n');
    }
  });
});
