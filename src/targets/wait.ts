// Readiness: a provider is up when its discovery document answers 200 with the expected issuer.

import { fetchDiscovery } from '../protocol/metadata.ts';

class TargetUnreachable extends Error {}

export async function waitForDiscovery(issuer: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new TargetUnreachable(`the provider process exited before ${issuer} answered discovery`);
    try {
      const res = await fetchDiscovery(issuer, Math.max(500, Math.min(5_000, deadline - Date.now())));
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    // Polling is the only signal an unrelated process gives; keep it short and bounded.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new TargetUnreachable(`${issuer} did not answer discovery within ${timeoutMs} ms (${last})`);
}

export async function probeDiscovery(issuer: string, timeoutMs: number): Promise<void> {
  let res;
  try {
    res = await fetchDiscovery(issuer, timeoutMs);
  } catch (err) {
    throw new TargetUnreachable(`${issuer} did not answer discovery: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (res.status !== 200) throw new TargetUnreachable(`${issuer} answered discovery with HTTP ${res.status}`);
}
