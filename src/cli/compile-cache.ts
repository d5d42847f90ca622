// Node's on-disk compile cache for a run's processes. Each of them (the CLI with the embedded
// provider, Playwright's runner, its workers) loads and compiles the same large modules on every
// run, Playwright's bundles above all; with V8's code for them kept on disk, the first check
// started 0.37 s sooner on average in 13 interleaved pairs of default runs on Node 24 (2 cores,
// sooner in 12). The end of the run moved within the machine's noise (README, "How it spends
// its time").

import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The cache's folder: in the checkout's node_modules, owned by its user (Node's default, a
 *  shared folder in the system's temp folder, could be filled by another user of the machine),
 *  and emptied with the dependencies it mostly holds (`npm ci`). Node keeps one subfolder per
 *  Node version and checks each entry against its module's source. */
export const COMPILE_CACHE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/.cache/oidc-harness-compile');

/** `module.enableCompileCache`: Node 22.1+ (absent on Node 20, whose types this project uses).
 *  Status 1 is ENABLED, 2 ALREADY_ENABLED (module.constants.compileCacheStatus). */
type EnableCompileCache = (dir?: string) => { status: number; directory?: string; message?: string };

/** Turns Node's compile cache on for this process (for the modules it loads from now on) and,
 *  through NODE_COMPILE_CACHE in `env`, for the processes it starts later with that environment
 *  (Playwright's runner, whose workers inherit it). Returns the cache's folder, or undefined
 *  where nothing was done: a Node without a compile cache (20), the cache disabled
 *  (NODE_DISABLE_COMPILE_CACHE), or a folder that cannot be used. A NODE_COMPILE_CACHE the user
 *  set is kept (Node already uses it here, and the children inherit it). `node`: node:module. */
export function useCompileCache(env: NodeJS.ProcessEnv = process.env, node: { enableCompileCache?: EnableCompileCache } = module as { enableCompileCache?: EnableCompileCache }): string | undefined {
  const enable = node.enableCompileCache;
  if (!enable || env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const result = enable(env.NODE_COMPILE_CACHE || COMPILE_CACHE_DIR);
  if ((result.status !== 1 && result.status !== 2) || !result.directory) return undefined;
  env.NODE_COMPILE_CACHE ||= result.directory;
  return result.directory;
}
