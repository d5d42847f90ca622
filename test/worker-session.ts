// The suites' own WorkerSession (suites/harness.ts) on a reference provider started by
// embedded-env.ts: a check's body is driven exactly as the suite drives it, without Playwright.

import { Sessions, type WorkerSession } from '../src/session/worker-session.ts';
import type { RunContext } from '../src/session/run.ts';
import { createRedactor } from '../src/report/redact.ts';
import type { Env } from './embedded-env.ts';

/** The profile's first user's session; its close() also closes the browser the sessions share. */
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
  session.close = async () => {
    session.close = own; // Sessions.close() closes each session, this one included
    await sessions.close();
  };
  return session;
}
