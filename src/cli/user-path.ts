// The paths a user gives on the command line, read as relative to the folder the command was typed
// in: `npm run` starts its script in the package root whatever folder that was, so path.resolve
// alone made `cd docker && npm run conformance -- --target oidc-provider` look for
// <root>/oidc-provider.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder the command was typed in: npm's INIT_CWD (the folder `npm run` was started from),
 *  else the working folder (the command started with node itself, which keeps it). */
export function userDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** A path the user gave, absolute: relative ones against userDir. */
export function userPath(given: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(userDir(env), given);
}

/** A file or folder the user gave that must exist (a profile, a scenario, a report to compare):
 *  relative to userDir, else to the package root when only it has one, as every path was read
 *  before (`--target docker/oidc-provider`, `scenarios/kasm.yaml`, `reports/<run>` as the README
 *  gives them keep working from any folder). Neither: the userDir one, reported as not found. */
export function existingUserPath(given: string, env: NodeJS.ProcessEnv = process.env): string {
  const mine = userPath(given, env);
  const shipped = path.resolve(ROOT, given);
  return existsSync(mine) || !existsSync(shipped) ? mine : shipped;
}
