// The HARNESS_* environment settings, read and checked in one place before anything starts: a bad
// value is one line naming the variable (exit 2), never a NaN that quietly turns a check off.

import { accessSync, constants, statSync } from 'node:fs';
import { FAULTS, isFault, type Fault } from '../targets/embedded/faults.ts';
import { parseDuration } from './duration.ts';

export class SettingsError extends Error {}

export interface Settings {
  /** Clock skew tolerated in time checks, seconds (HARNESS_SKEW, default 5). */
  skew: number;
  /** Parallel workers (HARNESS_WORKERS), when set. */
  workers?: number;
  /** Fault switches for the embedded reference provider (HARNESS_EMBEDDED_FAULTS). */
  faults: Fault[];
  /** Chromium to use (HARNESS_CHROMIUM), when set. */
  chromium?: string;
  baseImage?: string;
  nodeImage?: string;
}

/** Settings a user gives. */
const USER_SETTINGS = ['HARNESS_SKEW', 'HARNESS_WORKERS', 'HARNESS_EMBEDDED_FAULTS', 'HARNESS_CHROMIUM', 'HARNESS_BASE_IMAGE', 'HARNESS_NODE_IMAGE'];
/** Set by the CLI for Playwright's runner and workers (src/cli/run.ts), never by hand: the runner
 *  does not inherit them from the CLI's own environment (src/cli/suite-runner.ts). */
export const INTERNAL_SETTINGS: readonly string[] = ['HARNESS_RUN_ENV', 'HARNESS_RUN_INPUTS', 'HARNESS_ISSUER', 'HARNESS_REPORT_DIR', 'HARNESS_SECRETS_FILE', 'HARNESS_RUN_META', 'HARNESS_TLS_TRUST', 'HARNESS_REVERSE', 'HARNESS_FULL', 'HARNESS_CHECK_PER_TEST'];

/** Whether `file` is a regular file this process may execute (a browser to launch). */
export function executableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function bad(name: string, value: string, problem: string): never {
  throw new SettingsError(`${name}=${JSON.stringify(value)}: ${problem}`);
}

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  if (!value.trim()) bad(name, value, 'empty; unset it or give a value');
  return value;
}

/** HARNESS_EMBEDDED_FAULTS=a,b: the fault switches to turn on in the embedded reference provider;
 *  SettingsError naming an unknown one. */
export function faultsSetting(env: NodeJS.ProcessEnv = process.env): Fault[] {
  const faults: Fault[] = [];
  for (const name of (env.HARNESS_EMBEDDED_FAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!isFault(name)) bad('HARNESS_EMBEDDED_FAULTS', env.HARNESS_EMBEDDED_FAULTS!, `unknown fault ${name} (known: ${FAULTS.join(', ')})`);
    faults.push(name);
  }
  return faults;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  for (const name of Object.keys(env)) {
    if (name.startsWith('HARNESS_') && !USER_SETTINGS.includes(name) && !INTERNAL_SETTINGS.includes(name)) {
      throw new SettingsError(`${name}: unknown setting (known: ${USER_SETTINGS.join(', ')})`);
    }
  }
  let skew = 5;
  const skewText = env.HARNESS_SKEW;
  if (skewText !== undefined) {
    try {
      skew = parseDuration(skewText.trim());
    } catch {
      bad('HARNESS_SKEW', skewText, 'not a number of seconds or a duration (e.g. 5 or 5s)');
    }
    if (!Number.isFinite(skew)) bad('HARNESS_SKEW', skewText, 'not a number of seconds or a duration (e.g. 5 or 5s)');
  }
  let workers: number | undefined;
  const workersText = env.HARNESS_WORKERS;
  if (workersText !== undefined) {
    workers = /^\s*\d+\s*$/.test(workersText) ? Number(workersText) : NaN;
    if (!Number.isInteger(workers) || workers < 1) bad('HARNESS_WORKERS', workersText, 'not a positive whole number');
  }
  const faults = faultsSetting(env);
  const chromium = nonEmpty(env, 'HARNESS_CHROMIUM');
  if (chromium !== undefined && !executableFile(chromium)) bad('HARNESS_CHROMIUM', chromium, 'not an executable file (the browser binary itself, e.g. /usr/bin/chromium-headless-shell)');
  const baseImage = nonEmpty(env, 'HARNESS_BASE_IMAGE');
  const nodeImage = nonEmpty(env, 'HARNESS_NODE_IMAGE');
  for (const [name, value] of [['HARNESS_BASE_IMAGE', baseImage], ['HARNESS_NODE_IMAGE', nodeImage]] as const) {
    if (value !== undefined && /\s/.test(value)) bad(name, value, 'an image reference has no spaces');
  }
  return { skew, ...(workers !== undefined ? { workers } : {}), faults, ...(chromium ? { chromium } : {}), ...(baseImage ? { baseImage } : {}), ...(nodeImage ? { nodeImage } : {}) };
}
