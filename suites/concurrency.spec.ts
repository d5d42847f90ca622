import { check, collectProfile, skip } from './harness.ts';
import { exchangeCode, userinfo } from '../src/protocol/endpoints.ts';
import { endpoint } from '../src/protocol/metadata.ts';
import { HttpError } from '../src/http/exchange.ts';
import { ProviderError } from '../src/checks/verdict.ts';
import { codeOf } from '../src/checks/code-flow.ts';
import * as k from '../src/checks/concurrency.ts';

const profile = collectProfile();
// The burst spreads over every client, as relying parties of a busy server do (a provider whose
// storage cannot take overlapping writes fails on different clients' logins and grants at once).
const clientOf = (i: number) => profile.clients[i % profile.clients.length]!;

check('concurrency', k.concurrencyChecks.burst, async ({ session, run }) => {
  const { meta } = await run.discovery();
  const outcomes: k.BurstOutcome[] = [];
  const noAnswer = (step: k.BurstOutcome['step']) => (err: unknown): undefined => {
    // A login that broke under the burst is part of the finding, whatever broke it.
    if (step === 'authorization' || err instanceof HttpError || err instanceof ProviderError) {
      outcomes.push({ step, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
      return undefined;
    }
    throw err;
  };
  // Each client's login once alone first, as the burst makes them (a new login session each): one
  // that fails even alone (a server error, a login driver that cannot answer the provider's pages)
  // is this check's error, not a finding of concurrency. The worker's own session, signed in
  // already, would not show a fresh login failing.
  for (const client of new Set(Array.from({ length: k.BURST }, (_, i) => clientOf(i)))) await session.authorizeFresh(await session.request(client));
  // Logins of their own, all at once (raw HTTP where the pages allow, else fresh browser contexts).
  const requests = await Promise.all(Array.from({ length: k.BURST }, (_, i) => session.request(clientOf(i))));
  const callbacks = await Promise.all(requests.map((req) => session.authorizeFresh(req).catch(noAnswer('authorization'))));
  const codes = callbacks.flatMap((cb, i) => {
    if (!cb) return [];
    outcomes.push({ step: 'authorization' });
    try {
      return [{ code: codeOf(cb), req: requests[i]! }];
    } catch {
      return [];
    }
  });
  if (codes.length === 0 && outcomes.every((o) => o.error === undefined)) skip('no authorization of the burst returned a code, so the token step could not be tried (see code.exchange)');
  const tokens = await Promise.all(codes.map(({ code, req }) => exchangeCode(meta, { client: req.client }, code, req.redirectUri, req.verifier).then((res) => {
    outcomes.push({ step: 'token', response: res });
    return res;
  }, noAnswer('token'))));
  const access = tokens.flatMap((res) => (res && res.status === 200 && typeof (res.json as { access_token?: unknown })?.access_token === 'string' ? [(res.json as { access_token: string }).access_token] : []));
  if (endpoint(meta, 'userinfo_endpoint')) {
    await Promise.all(access.map((at) => userinfo(meta, at).then((res) => void outcomes.push({ step: 'userinfo', response: res }), noAnswer('userinfo'))));
  }
  return k.checkBurst(outcomes);
});
