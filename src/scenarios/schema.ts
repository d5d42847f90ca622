// Scenario files (scenarios/*.yaml or .yml): one relying application logging in through the provider
// under test, declared the way its administrator configures it. Validated with zod; a mistake is
// one line naming the file and the field (exit code 2), as profiles are.

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseWith, readYaml } from '../config/authelia.ts';
import { ConfigError } from '../config/errors.ts';
import { CLAIM_SOURCES, type ClaimSource } from '../rp/models/types.ts';
import { RP_MODELS } from '../rp/models/index.ts';

const claimSource = z.enum(CLAIM_SOURCES as [ClaimSource, ...ClaimSource[]]);
/** A claim the application reads: one name, or names tried in order (RustDesk's username). */
const claimRead = z.object({ claim: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'expected a claim name, or a list of claim names tried in order' }), from: claimSource }).strict();

/** An absolute URL; `${ISSUER}` at its start stands for the run's issuer. */
const endpointUrl = z.string().refine(
  (v) => {
    try {
      return Boolean(new URL(v.replace(/^\$\{ISSUER\}/, 'http://issuer.invalid')));
    } catch {
      return false;
    }
  },
  { message: 'an absolute URL (${ISSUER} at its start stands for the issuer)' },
);

const endpointUrls = z
  .object({ authorization_endpoint: endpointUrl, token_endpoint: endpointUrl, userinfo_endpoint: endpointUrl.optional(), jwks_uri: endpointUrl.optional(), issuer: endpointUrl.optional() })
  .strict();

const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower case letters, digits and dashes'),
    description: z.string().optional(),
    /** client_id of a client in the target's configuration. */
    client: z.string().min(1),
    relying_party: z.string().refine((m) => m in RP_MODELS, { message: `one of ${Object.keys(RP_MODELS).join(', ')}` }),
    /** `issuer`: the application discovers the endpoints from the issuer. `typed`: the
     *  administrator typed the endpoint URLs in, copied from the provider's discovery document
     *  (the application itself never reads it). Or the URLs themselves; `${ISSUER}` at the start
     *  of one is the issuer of the run. */
    discovery: z.union([z.literal('issuer'), z.literal('typed'), endpointUrls], { error: 'expected issuer, typed, or the endpoint URLs: authorization_endpoint and token_endpoint (userinfo_endpoint, jwks_uri and issuer optional)' }).default('issuer'),
    scopes: z.array(z.string().min(1)).min(1),
    /** How the application authenticates at the token endpoint (default: the client's configured method). */
    client_auth: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
    pkce: z.enum(['S256', 'none']).default('S256'),
    response_mode: z.enum(['query', 'form_post']).default('query'),
    /** Whether the application calls userinfo after the code exchange. */
    userinfo: z.boolean().default(true),
    identity: z.object({ username: claimRead, groups: claimRead.optional() }).strict(),
    /** The user who logs in (default: the profile's first). */
    user: z.string().optional(),
    expect: z.union([
      z.object({ logged_in: z.literal(true), groups: z.array(z.string()).optional() }).strict(),
      /** The application refuses the login, for this rule (a model rule id, `identity.username`,
       *  `identity.groups`, or `openid-client`). */
      z.object({ failure: z.string().min(1) }).strict(),
    ], { error: 'expected logged_in: true (and optionally groups), or failure: the rule the login is refused for' }),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema> & { file: string };
export type ClaimRead = z.infer<typeof claimRead>;

export type EndpointUrls = z.infer<typeof endpointUrls>;

/** What a login of `relyingParty` can be refused for: its model's rules, openid-client's own
 *  refusal, a claim the application does not find, or a provider that never sends it back. */
export function refusalRules(relyingParty: string): string[] {
  return [...(RP_MODELS[relyingParty]?.rules.map((r) => r.id) ?? []), 'openid-client', 'identity.username', 'identity.groups', 'provider.login'];
}

/** Reads and validates one scenario file; ConfigError (file and field) on any mistake. */
export function loadScenario(file: string): Scenario {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new ConfigError(abs, '', 'not found');
  if (!statSync(abs).isFile()) throw new ConfigError(abs, '', 'not a file (give one scenario .yaml file)');
  const raw = parseWith(scenarioSchema, readYaml(abs), abs, '');
  if (raw.userinfo === false && [raw.identity.username, raw.identity.groups].some((r) => r && r.from !== 'id_token')) {
    throw new ConfigError(abs, 'identity', 'reads claims from userinfo, but userinfo: false');
  }
  if ('failure' in raw.expect) {
    const known = refusalRules(raw.relying_party);
    if (!known.includes(raw.expect.failure)) throw new ConfigError(abs, 'expect.failure', `${raw.expect.failure} is no rule a ${raw.relying_party} login can be refused for (one of: ${known.join(', ')})`);
  }
  return { ...raw, file: abs };
}

/** Every scenario file (*.yaml, or *.yml as profiles are named) of `dir`, sorted by name;
 *  ConfigError on the first mistake. A file named .yml was left out of the run, unsaid. */
export function loadScenarios(dir: string): Scenario[] {
  if (!existsSync(dir)) return [];
  const scenarios = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => loadScenario(path.join(dir, f)));
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    const other = seen.get(s.name);
    if (other) throw new ConfigError(s.file, 'name', `${s.name} is also the name of ${path.basename(other)}`);
    seen.set(s.name, s.file);
  }
  return scenarios;
}
