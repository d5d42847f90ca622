// The suites' own WorkerSession (suites/harness.ts) on a reference provider started by
// embedded-env.ts: a check's body is driven exactly as the suite drives it, without Playwright.

import { WorkerSession, type RunContext } from '../suites/harness.ts';
import { createRedactor } from '../src/report/redact.ts';
import type { Env } from './embedded-env.ts';

export function workerSession(e: Env, skew = 5): WorkerSession {
  const run: RunContext = {
    profile: e.profile,
    issuer: e.issuer,
    skew,
    redactor: createRedactor([]),
    discovery: async () => ({ res: e.discovery, meta: e.meta }),
    jwks: async () => {
      throw new Error('not used');
    },
  };
  return new WorkerSession(run, e.profile.users[0]!);
}
