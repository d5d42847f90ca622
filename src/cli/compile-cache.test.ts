import { spawnSync } from 'node:child_process';
import module from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/thrown.ts';
import { COMPILE_CACHE_DIR, useCompileCache } from './compile-cache.ts';
import { TYPESCRIPT_HOOKS } from './run.ts';

describe('useCompileCache', () => {
  it("turns the cache on in the checkout's folder and hands it to the processes started later", () => {
    const env: NodeJS.ProcessEnv = {};
    const asked: Array<string | undefined> = [];
    const dir = useCompileCache(env, { enableCompileCache: (d) => (asked.push(d), { status: 1, directory: d }) });
    expect(asked).toEqual([COMPILE_CACHE_DIR]);
    expect(dir).toBe(COMPILE_CACHE_DIR);
    expect(env.NODE_COMPILE_CACHE).toBe(COMPILE_CACHE_DIR);
  });

  it("keeps the user's own NODE_COMPILE_CACHE", () => {
    const env: NodeJS.ProcessEnv = { NODE_COMPILE_CACHE: '/mine' };
    expect(useCompileCache(env, { enableCompileCache: () => ({ status: 2, directory: '/mine' }) })).toBe('/mine');
    expect(env.NODE_COMPILE_CACHE).toBe('/mine');
  });

  it('does nothing on a Node without a compile cache, when it is disabled, or when it cannot be used', () => {
    const none: NodeJS.ProcessEnv = {};
    expect(useCompileCache(none, {})).toBeUndefined();
    const disabled: NodeJS.ProcessEnv = { NODE_DISABLE_COMPILE_CACHE: '1' };
    expect(useCompileCache(disabled, { enableCompileCache: () => { throw new Error('not to be called'); } })).toBeUndefined();
    const failed: NodeJS.ProcessEnv = {};
    expect(useCompileCache(failed, { enableCompileCache: () => ({ status: 0, message: 'EACCES' }) })).toBeUndefined();
    // Nothing handed to the processes started later either.
    expect([none, disabled, failed].map((env) => env.NODE_COMPILE_CACHE)).toEqual([undefined, undefined, undefined]);
  });

  // Node 22.1+ only (npm scripts run on the Node 24 the lockfile pins; the CLI also runs on 20).
  it.runIf('enableCompileCache' in module)('fills the cache for the modules loaded after it, and a child started with its environment uses it', () => {
    const dir = tempDir('compile-cache-');
    const script = [
      `import { useCompileCache } from ${JSON.stringify(path.resolve('src/cli/compile-cache.ts'))};`,
      // This process was started without a cache; the folder comes in as a user's setting would.
      `const env = { ...process.env, NODE_COMPILE_CACHE: ${JSON.stringify(dir)} };`,
      `useCompileCache(env);`,
      `await import('yaml');`,
      `const { spawnSync } = await import('node:child_process');`,
      `const child = spawnSync(process.execPath, ['-p', 'require("node:module").getCompileCacheDir()'], { env, encoding: 'utf8' });`,
      `console.log(child.stdout.trim());`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', TYPESCRIPT_HOOKS, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: undefined } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().startsWith(dir)).toBe(true);
    expect(existsSync(dir) && readdirSync(dir).length).toBeGreaterThan(0);
  });
});
