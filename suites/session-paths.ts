// The session-reuse scenario behind id-token.nonce-session-reuse, code.state-session-reuse and
// code.iss-session-reuse: one client authorized on a fresh login (no session), twice in the
// worker's login session (each with its own state and nonce), and after a remembered
// pre-configured consent where the client has one. Made once per worker and client; its flows are
// its own (session.flow), never the shared ones.

import type { Evidence } from '../src/model/check.ts';
import type { ClientSpec } from '../src/model/target.ts';
import type { RawResponse } from '../src/http/exchange.ts';
import type { AuthorizationRequest } from '../src/protocol/authorize.ts';
import { exchangeCode } from '../src/protocol/endpoints.ts';
import { codeOf, type Callback } from '../src/checks/code-flow.ts';
import type { CheckFixtures, WorkerSession } from './harness.ts';

export interface SessionPath {
  path: string;
  req: AuthorizationRequest;
  callback: Callback;
  tokenRes: RawResponse;
}

export interface SessionPaths {
  paths: SessionPath[];
  /** Paths not taken, with the reason, for the report. */
  notes: Evidence[];
}

const made = new WeakMap<WorkerSession, Map<string, Promise<SessionPaths>>>();

async function walk({ session, sessions, run }: CheckFixtures, client: ClientSpec): Promise<SessionPaths> {
  const { meta } = await run.discovery();
  const paths: SessionPath[] = [];
  const notes: Evidence[] = [];
  const req = await session.request(client);
  const callback = await session.authorizeFresh(req);
  paths.push({ path: 'fresh login', req, callback, tokenRes: await exchangeCode(meta, { client }, codeOf(callback), req.redirectUri, req.verifier) });
  for (const n of [1, 2]) {
    const flow = await session.flow(client);
    paths.push({ path: `session reuse ${n}`, req: flow.req, callback: flow.callback, tokenRes: flow.tokenRes });
  }
  const others = client.scopes.filter((s) => s !== 'openid');
  // A remembered consent is state the provider keeps per user and client: it is made as the
  // profile's second user, so that client.consent-mode (which runs as the first) never sees it.
  const second = run.profile.users[1];
  const remembered = client.consentMode !== 'pre-configured'
    ? `${client.id} has consent_mode ${client.consentMode} (${client.sources.consentMode ?? 'consent_mode'}), so no consent is remembered`
    : !session.selectors.consentRemember
      ? 'the login driver has no consent_remember selector to tick'
      : others.length < 2 ? `${client.id} has fewer than two scopes besides openid, so no other scope set to ask for`
        : !second ? 'the profile has one test user; remembering a consent needs a second one, so client.consent-mode never sees it' : undefined;
  if (remembered || !second) {
    notes.push({ label: `after remembered consent: not checked: ${remembered}` });
  } else {
    const as = sessions.for(second);
    await as.rememberedConsent(client, ['openid', ...others.slice(1)].join(' '));
    // No prompt=consent (offline_access requests carry it): the remembered consent must answer.
    const flow = await as.flow(client, { params: { prompt: undefined } });
    paths.push({ path: 'after remembered consent', req: flow.req, callback: flow.callback, tokenRes: flow.tokenRes });
  }
  return { paths, notes };
}

/** The scenario for `client` in this worker's session, walked on first use. */
export function sessionPaths(fx: CheckFixtures, client: ClientSpec): Promise<SessionPaths> {
  let byClient = made.get(fx.session);
  if (!byClient) made.set(fx.session, (byClient = new Map()));
  let p = byClient.get(client.id);
  if (!p) byClient.set(client.id, (p = walk(fx, client)));
  return p;
}
