// Token lifespans as configured (`lifespans.*`, per-client `lifespans.custom.<name>`): what a
// provider ignores here, a relying party finds out in production an hour later.

import type { CheckDef, Evidence } from '../model/check.ts';
import type { ClientSpec, Lifespans, ProviderSpec } from '../model/target.ts';
import { fail, skip } from './verdict.ts';

export const lifespanChecks = {
  idToken: { id: 'lifespan.id-token', title: 'ID token exp - iat equals the configured id_token lifespan', severity: 'failure', spec: 'configuration: lifespans.id_token; OIDC Core §2' },
  accessToken: { id: 'lifespan.access-token', title: 'access token expires_in (and exp) equal the configured access_token lifespan', severity: 'failure', spec: 'configuration: lifespans.access_token; RFC 6749 §5.1' },
  refreshToken: { id: 'lifespan.refresh-token', title: 'refresh token lifetime equals the configured refresh_token lifespan', severity: 'failure', spec: 'configuration: lifespans.refresh_token; RFC 7662 §2.2' },
  accessTokenExpires: { id: 'lifespan.access-token-expires', title: 'an access token is refused at userinfo once its configured lifespan is over', severity: 'failure', spec: 'RFC 6750 §3.1 (invalid_token: expired); the configured access_token lifespan' },
  refreshTokenExpires: { id: 'lifespan.refresh-token-expires', title: 'a refresh token is refused once its configured lifespan is over', severity: 'failure', spec: 'RFC 6749 §5.2 (invalid_grant: expired); the configured refresh_token lifespan' },
  authorizeCode: { id: 'lifespan.authorize-code', title: 'a code used after the authorize_code lifespan is refused', severity: 'failure', spec: 'configuration: lifespans.authorize_code; RFC 6749 §4.1.2' },
} satisfies Record<string, CheckDef>;

export interface Lifespan {
  seconds: number;
  source: string;
}

/** The lifespan that applies to `client`: its custom lifespan set where it names one, else the provider's. */
export function lifespanFor(client: ClientSpec, provider: ProviderSpec, key: keyof Lifespans): Lifespan {
  const custom = client.lifespan ? provider.customLifespans[client.lifespan]?.[key] : undefined;
  if (custom !== undefined) {
    return { seconds: custom, source: `${provider.sources[`customLifespans.${client.lifespan}.${key}`] ?? `lifespans.custom.${client.lifespan}`} (client ${client.id}: ${client.sources.lifespan ?? `lifespan ${client.lifespan}`})` };
  }
  return { seconds: provider.lifespans[key], source: provider.sources[`lifespans.${key}`] ?? `lifespans.${key}` };
}

/** Compares an observed duration with the configured one, within `skew` seconds. */
export function checkDuration(what: string, observed: unknown, expected: Lifespan, skew: number, evidence: Evidence[]): void {
  if (typeof observed === 'number' && Number.isFinite(observed) && Math.abs(observed - expected.seconds) <= skew) return;
  fail({
    message: typeof observed === 'number' ? `${what} is ${observed} s, configured ${expected.seconds} s` : `${what} cannot be read (${JSON.stringify(observed)})`,
    source: `${expected.source}`,
    expected: `${expected.seconds} s (± ${skew} s clock skew setting)`,
    observed: typeof observed === 'number' ? `${observed} s` : observed,
    evidence,
  });
}

/** Seconds between iat and exp of a claims set, or a description of what is missing. */
export function lifetimeOf(claims: Record<string, unknown>): number | string {
  const { exp, iat } = claims;
  if (typeof exp !== 'number') return `exp ${JSON.stringify(exp)}`;
  if (typeof iat !== 'number') return `iat ${JSON.stringify(iat)}`;
  return exp - iat;
}

/** Longest wait the default run accepts to watch a lifespan run out, seconds. */
export const MAX_WAIT_S = 5;
/** Longest wait of --full (certification), seconds: every lifespan up to it is watched. */
export const FULL_MAX_WAIT_S = 300;

/** Skips unless a lifespan of `seconds` is watched in this run; the reason says how to watch it. */
export function expectWatchable(what: string, life: Lifespan, full: boolean): number {
  const max = full ? FULL_MAX_WAIT_S : MAX_WAIT_S;
  if (life.seconds <= max) return life.seconds;
  return skip(full
    ? `observable only by waiting ${life.seconds} s (${life.source}), longer than --full waits (${FULL_MAX_WAIT_S} s); its exp is read from the token or introspection by the lifetime checks`
    : `observable only by waiting ${life.seconds} s (${life.source}); the default run waits at most ${MAX_WAIT_S} s: run with --full (up to ${FULL_MAX_WAIT_S} s, all lifespans at once), or give a client a short lifespans.custom ${what}`);
}
