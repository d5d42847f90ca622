// The suites' own WorkerSession (suites/harness.ts) on a reference provider started by
// embedded-env.ts: a check's body is driven exactly as the suite drives it, without Playwright.

import { afterEach } from 'vitest';
import { Sessions, type WorkerSession } from '../src/session/worker-session.ts';
import type { RunContext } from '../src/session/run.ts';
import { createRedactor } from '../src/report/redact.ts';
import type { Env } from './embedded-env.ts';

const open = new Set<WorkerSession>();
// Whatever a test left open is closed after it (its browser included).
afterEach(async () => {
  for (const s of [...open]) await s.close();
});

/** The profile's first user's session; its close() also closes the browser the sessions share,
 *  and happens after the test at the latest. */
export function workerSession(e: Env, skew = 5): WorkerSession {
  const run: RunContext = {
    profile: e.profile,
    issuer: e.issuer,
    skew,
    full: false,
    redactor: createRedactor([]),
    discovery: async () => ({ res: e.discovery, meta: e.meta }),
    jwks: async () => {
      throw new Error('not used');
    },
    introspect: async () => {
      throw new Error('not used');
    },
  };
  const sessions = new Sessions(run);
  const session = sessions.for(e.profile.users[0]!);
  const own = session.close.bind(session);
  open.add(session);
  session.close = async () => {
    session.close = own; // Sessions.close() closes each session, this one included
    open.delete(session);
    await sessions.close();
  };
  return session;
}
