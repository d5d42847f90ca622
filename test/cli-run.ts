// `npm run conformance` as a child process, for the tests that drive the whole CLI; and the
// results a run wrote. Asynchronous: a provider started in the test process keeps answering.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../src/cli/run.ts';

export function cli(args: string[], timeout = 120_000, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...extraEnv } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

export type Result = { id: string; client?: string; outcome: string; severity: string; blockedBy?: string; message?: string; evidence?: unknown[] };

/** The check results a run wrote into `reportDir` (empty when it wrote none). */
export function resultsOf(reportDir: string): Result[] {
  try {
    return (JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as { results: Result[] }).results;
  } catch {
    return [];
  }
}
