// Where a scenario's application reads its user's identity. Apart from the schema (src/scenarios/
// schema.ts, zod), so the suites that run scenarios need no validator: the CLI validated them.

import type { Scenario } from './schema.ts';

/** Claims the application reads from the ID token alone (`sub` aside, which every ID token has):
 *  Authelia 4.39 puts scope claims there only through a claims policy
 *  (identity_providers.oidc.claims_policies). */
export function idTokenOnlyClaims(s: Pick<Scenario, 'identity'>): string[] {
  const reads = [s.identity.username, ...(s.identity.groups ? [s.identity.groups] : [])].filter((r) => r.from === 'id_token');
  return reads.flatMap((r) => (Array.isArray(r.claim) ? r.claim : [r.claim])).filter((c) => c !== 'sub');
}
