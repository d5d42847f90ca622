// Imports an Authelia-style configuration.yml: `identity_providers.oidc` becomes the clients and
// provider options of the resolved model, with Authelia's documented defaults and, for every
// value, the key it came from (quoted in failures). Both key spellings are accepted: the 4.37 ones
// (`id`, `secret`, `description`, `*_lifespan` ...) and the 4.38+ ones (`client_id`, `lifespans.*` ...).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import type { ClientSpec, ConsentMode, Lifespans, ProviderSpec, TokenEndpointAuthMethod } from '../model/target.ts';
import { ConfigError } from './errors.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { checkDigest, isDigest, plaintextOf, type DeferredDigests } from './digest.ts';

export { hashClientSecretPbkdf2 } from './digest.ts';

const duration = z.union([z.string(), z.number()], { error: 'expected a duration such as 1h, 90m, 1h30m or a number of seconds' });
const strings = z.array(z.string());
const anything = z.unknown();

// Keys Authelia accepts on a client that the resolved model does not use: accepted so real files
// import, but only their type is checked (Authelia validates their values itself).
const OTHER_CLIENT_STRING_KEYS = [
  'token_endpoint_auth_signing_alg', 'id_token_signing_alg', 'id_token_signed_response_key_id', 'id_token_signing_key_id',
  'id_token_encrypted_response_alg', 'id_token_encrypted_response_enc', 'id_token_encrypted_response_key_id',
  'access_token_signed_response_alg', 'access_token_signed_response_key_id',
  'access_token_encrypted_response_alg', 'access_token_encrypted_response_enc', 'access_token_encrypted_response_key_id',
  'userinfo_signed_response_key_id', 'userinfo_signing_key_id',
  'userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc', 'userinfo_encrypted_response_key_id',
  'introspection_signed_response_alg', 'introspection_signed_response_key_id',
  'introspection_encrypted_response_alg', 'introspection_encrypted_response_enc', 'introspection_encrypted_response_key_id',
  'authorization_signed_response_alg', 'authorization_signed_response_key_id',
  'authorization_encrypted_response_alg', 'authorization_encrypted_response_enc', 'authorization_encrypted_response_key_id',
  'introspection_endpoint_auth_method', 'introspection_endpoint_auth_signing_alg',
  'revocation_endpoint_auth_method', 'revocation_endpoint_auth_signing_alg',
  'pushed_authorization_request_endpoint_auth_method', 'pushed_authorization_request_endpoint_auth_signing_alg',
  'request_object_signing_alg', 'request_object_encryption_alg', 'request_object_encryption_enc',
  'jwks_uri', 'logo_uri', 'discovery_signed_response_alg',
] as const;

const otherClientKeys = Object.fromEntries(OTHER_CLIENT_STRING_KEYS.map((k) => [k, z.string()])) as Record<(typeof OTHER_CLIENT_STRING_KEYS)[number], z.ZodString>;

// Values Authelia refuses at start, refused here too: one it would refuse, silently ignored, changed
// verdicts (an unknown cors.endpoints name opened nothing and the CORS checks expected closed
// endpoints). The union of what 4.37 (the seed's configuration page: password) and 4.38+ (its
// configuration validator: pushed-authorization-request; 4.39: the device code grant and endpoint)
// accept, as both spellings import.
const GRANT_TYPES = ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code'] as const;
const CORS_ENDPOINTS = ['authorization', 'device-authorization', 'pushed-authorization-request', 'token', 'introspection', 'revocation', 'userinfo'] as const;

const clientSchema = z
  .object({
    ...otherClientKeys,
    client_id: z.string().min(1),
    id: z.string().min(1),
    client_name: z.string(),
    description: z.string(),
    client_secret: z.string(),
    secret: z.string(),
    sector_identifier_uri: z.string(),
    sector_identifier: z.string(),
    public: z.boolean(),
    authorization_policy: z.string(),
    consent_mode: z.enum(['auto', 'explicit', 'implicit', 'pre-configured']),
    pre_configured_consent_duration: duration,
    audience: strings,
    scopes: strings,
    redirect_uris: strings,
    grant_types: z.array(z.enum(GRANT_TYPES)),
    response_types: strings,
    response_modes: strings,
    require_pkce: z.boolean(),
    pkce_challenge_method: z.enum(['', 'S256', 'plain']),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']),
    id_token_signed_response_alg: z.string(),
    userinfo_signed_response_alg: z.string(),
    userinfo_signing_algorithm: z.string(),
    userinfo_signing_alg: z.string(),
    request_uris: strings,
    requested_audience_mode: z.enum(['explicit', 'implicit']),
    claims_policy: z.string(),
    lifespan: z.string(),
    jwks: anything,
    allow_multiple_auth_methods: z.boolean(),
    require_pushed_authorization_requests: z.boolean(),
  })
  .partial()
  .strict();

const lifespanSet = z
  .object({ access_token: duration, authorize_code: duration, id_token: duration, refresh_token: duration, device_code: duration, jwt_secured_authorization: duration })
  .partial()
  .strict();

export const providerSchema = z
  .object({
    hmac_secret: z.string(),
    issuer_private_key: z.string(),
    issuer_certificate_chain: z.string(),
    issuer_private_keys: anything,
    jwks: anything,
    access_token_lifespan: duration,
    authorize_code_lifespan: duration,
    id_token_lifespan: duration,
    refresh_token_lifespan: duration,
    lifespans: lifespanSet.extend({ custom: z.record(z.string(), lifespanSet.extend({ grants: anything }).partial()) }).partial().strict(),
    enable_client_debug_messages: z.boolean(),
    minimum_parameter_entropy: z.number().int(),
    enforce_pkce: z.enum(['public_clients_only', 'always', 'never']),
    enable_pkce_plain_challenge: z.boolean(),
    enable_jwt_access_token_stateless_introspection: z.boolean(),
    discovery_signed_response_alg: z.string(),
    discovery_signed_response_key_id: z.string(),
    require_pushed_authorization_requests: z.boolean(),
    pushed_authorizations: anything,
    cors: z
      .object({ endpoints: z.array(z.enum(CORS_ENDPOINTS)), allowed_origins: z.union([z.string(), strings], { error: 'expected "*" or a list of origins' }), allowed_origins_from_client_redirect_uris: z.boolean() })
      .partial()
      .strict(),
    claims_policies: anything,
    scope_definitions: anything,
    // 4.40 renames scope_definitions to scopes.
    scopes: anything,
    authorization_policies: z.record(z.string(), z.object({ default_policy: z.string().optional(), rules: anything.optional() }).strict()),
    clients: z.array(z.unknown()),
  })
  .partial()
  .strict();

export type RawClient = z.infer<typeof clientSchema>;
export type RawProvider = z.infer<typeof providerSchema>;

/** `a.b[2].c` from a zod path. */
export function dotted(prefix: string, p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), prefix);
}

/** Field names whose values are never repeated in a message (it reaches the console and CI logs):
 *  a field is secret when any part of its path is (`client_secrets.kasm` as much as `users[0].password`). */
const SECRET_FIELD = /secret|password|passwd|token|key|otp|credential/i;

function kindOf(value: unknown, secret = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return secret ? typeof value : `${typeof value} ${JSON.stringify(value)}`;
}

/** `value` as a message about `field` may show it: its kind, and the value too unless the field is secret. */
export function shownValue(value: unknown, field: string): string {
  return kindOf(value, field.split(/[.[\]]/).some((part) => SECRET_FIELD.test(part)));
}

// zod's own messages are written for developers; these name YAML shapes a config author knows.
function problemOf(issue: z.core.$ZodIssue, field: string): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'required';
    const expected = issue.expected === 'object' || issue.expected === 'record' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
    return `expected ${expected}, got ${shownValue(issue.input, field)}`;
  }
  if (issue.code === 'invalid_union' && issue.input !== undefined && (typeof issue.input !== 'object' || issue.input === null || Array.isArray(issue.input))) return `${issue.message}, got ${shownValue(issue.input, field)}`;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${shownValue(issue.input, field)}`;
  return issue.message;
}

/** Parses with `schema`, or throws a ConfigError naming the first problem's field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, prefix: string): T {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  const { field, problem } = firstProblem(r.error.issues, prefix);
  throw new ConfigError(file, field || '(top level)', problem);
}

/** zod's message for a union none of whose options takes the input, when the union gives none. */
const UNION_DEFAULT = 'Invalid input';

/** The problem to name first. An unknown key before anything else: a misspelled key is named,
 *  with the required key it leaves missing (`relying_prty: unknown field (relying_party is
 *  required and missing: misspelled?)`), where zod's first issue was the missing key alone. A
 *  union whose input has the shape of one option (a mapping for a mapping's option) is described
 *  by that option's problem, then by the union's own message where it has one
 *  (`discovery.token_endpoint: required; discovery: expected issuer, typed, or ...`), where zod
 *  said only `Invalid input`. */
function firstProblem(issues: readonly z.core.$ZodIssue[], prefix: string): { field: string; problem: string } {
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown) {
    const parent = dotted('', unknown.path);
    const missing = issues.filter((i) => (i.code === 'invalid_type' || i.code === 'invalid_union') && i.input === undefined && i.path.length === unknown.path.length + 1 && dotted('', i.path.slice(0, -1)) === parent).map((i) => String(i.path.at(-1)));
    const hint = missing.length ? ` (${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required and missing: misspelled?)` : '';
    return { field: dotted(prefix, [...unknown.path, unknown.keys[0] ?? '?']), problem: `unknown field${hint}` };
  }
  const issue = issues[0]!;
  const field = dotted(prefix, issue.path);
  const option = issue.code === 'invalid_union' ? optionOfShape(issue.errors) : undefined;
  if (option) {
    const inner = firstProblem(option, field);
    return issue.message === UNION_DEFAULT ? inner : { field: inner.field, problem: `${inner.problem}; ${field}: ${issue.message}` };
  }
  return { field, problem: problemOf(issue, field || '(top level)') };
}

/** The union option the input has the shape of: its problems are all inside the input (none is
 *  the input's own type or value), the fewest such; undefined when no one option is. */
function optionOfShape(options: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const shaped = options.filter((o) => o.length > 0 && o.every((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
  const fewest = Math.min(...shaped.map((o) => o.length));
  const best = shaped.filter((o) => o.length === fewest);
  return best.length === 1 ? best[0] : undefined;
}

/** Authelia's template filter (`{{ secret "/path" | mindent 10 "|" | msquote }}`) is filled in by
 *  Authelia itself at start; for reading the configuration each expression is one opaque string. */
function withoutTemplates(text: string): string {
  return text.replace(/\{\{[^}]*\}\}/g, (m) => JSON.stringify(`(template ${m.slice(2, -2).trim()})`));
}

export function readYaml(file: string, options: { autheliaTemplates?: boolean } = {}): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(file, '', 'not found');
  }
  if (options.autheliaTemplates) text = withoutTemplates(text);
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      // yaml's first line repeats the position and ends with a colon before its code excerpt.
      const what = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
      throw new ConfigError(file, '(yaml)', `syntax error${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${what}`);
    }
    throw new ConfigError(file, '(yaml)', err instanceof Error ? err.message : String(err));
  }
}

function render(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

const CLIENT_DEFAULTS = {
  scopes: ['openid', 'groups', 'profile', 'email'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  response_modes: ['form_post', 'query'],
};

/** `claims_policies.<name>.id_token` lists, by policy name. */
export type ClaimsPolicies = Record<string, { idToken: string[]; source: string }>;

const claimsPolicySchema = z.record(z.string(), z.object({ id_token: strings }).partial().passthrough());

export function claimsPolicies(raw: unknown, file: string, label: string, prefix: string): ClaimsPolicies {
  if (raw === undefined) return {};
  const parsed = parseWith(claimsPolicySchema, raw, file, `${prefix}.claims_policies`);
  return Object.fromEntries(
    Object.entries(parsed).map(([name, p]) => [name, { idToken: p.id_token ?? [], source: `${label}: ${prefix}.claims_policies.${name}.id_token = ${(p.id_token ?? []).join(', ')}` }]),
  );
}

export interface ClientContext {
  /** Label for sources, e.g. `configuration.yml` or `target.yml`. */
  label: string;
  /** Path prefix for sources and errors, e.g. `identity_providers.oidc.clients`. */
  prefix: string;
  file: string;
  plaintextSecrets: Record<string, string>;
  /** Key of the plaintext map, for the error message. */
  secretsHint: string;
  policies: ClaimsPolicies;
  /** The names under `lifespans.custom` of the provider section, for clients naming one as `lifespan`. */
  customLifespans: string[];
  /** `authorization_policies` of the provider section, for clients naming a custom policy. */
  authorizationPolicies: NonNullable<RawProvider['authorization_policies']>;
  /** pbkdf2 at 310000 rounds costs ~0.3 s a secret: the CLI verifies once, workers skip it. */
  verifyDigests: boolean | DeferredDigests;
}

// A custom `authorization_policies.<name>` counts as its default_policy: the harness logs in with the
// factor that policy asks for, and per-subject rules are out of its scope.
function resolvePolicy(policy: string, ctx: ClientContext, field: string): ClientSpec['authorizationPolicy'] {
  if (policy === 'one_factor' || policy === 'two_factor') return policy;
  const custom = ctx.authorizationPolicies[policy];
  if (custom === undefined) throw new ConfigError(ctx.file, field, `expected one_factor, two_factor or a name under authorization_policies, got ${JSON.stringify(policy)}`);
  const def = custom.default_policy ?? 'two_factor';
  if (def !== 'one_factor' && def !== 'two_factor') throw new ConfigError(ctx.file, field, `authorization policy ${policy} has default_policy ${def}: the harness can only log in with one_factor or two_factor`);
  return def;
}

/** Normalises one Authelia client entry (either spelling) into a ClientSpec. */
export function normaliseClient(value: unknown, index: number, ctx: ClientContext): ClientSpec {
  const at = `${ctx.prefix}[${index}]`;
  const raw = parseWith(clientSchema, value, ctx.file, at);
  const sources: ClientSpec['sources'] = {};
  const take = <K extends keyof ClientSpec, V>(field: K, keys: Array<keyof RawClient>, def: V, defaultKey = String(keys[0])): V => {
    for (const key of keys) {
      if (raw[key] !== undefined) {
        sources[field] = `${ctx.label}: ${at}.${String(key)} = ${render(raw[key])}`;
        return raw[key] as V;
      }
    }
    sources[field] = `Authelia default: ${defaultKey} = ${render(def) || "''"}`;
    return def;
  };
  const id = take('id', ['client_id', 'id'], '');
  if (!id) throw new ConfigError(ctx.file, `${at}.client_id`, 'required');
  sources.client = `${ctx.label}: ${at} (${id})`;
  const isPublic = take('public', ['public'], false);
  const written = take('secret', ['client_secret', 'secret'], '' as string);
  const redirectUris = take('redirectUris', ['redirect_uris'], [] as string[]);
  if (redirectUris.length === 0) throw new ConfigError(ctx.file, `${at}.redirect_uris`, `client ${id} needs at least one redirect URI`);
  redirectUris.forEach((uri, i) => {
    if (uri === 'urn:ietf:wg:oauth:2.0:oob') {
      if (!isPublic) throw new ConfigError(ctx.file, `${at}.redirect_uris[${i}]`, 'urn:ietf:wg:oauth:2.0:oob is only allowed for public clients');
      return;
    }
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ConfigError(ctx.file, `${at}.redirect_uris[${i}]`, `not an absolute URI: ${uri}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(ctx.file, `${at}.redirect_uris[${i}]`, `scheme must be http or https: ${uri}`);
  });
  const method = take('tokenEndpointAuthMethod', ['token_endpoint_auth_method'], (isPublic ? 'none' : 'client_secret_basic') as TokenEndpointAuthMethod);
  if (isPublic && written) throw new ConfigError(ctx.file, `${at}.client_secret`, `public client ${id} must not have a secret`);
  if (isPublic && method !== 'none') throw new ConfigError(ctx.file, `${at}.token_endpoint_auth_method`, `public client ${id} must use none`);
  if (!isPublic && method === 'none') throw new ConfigError(ctx.file, `${at}.token_endpoint_auth_method`, `confidential client ${id} cannot use none`);

  let secret: string | undefined;
  // private_key_jwt clients authenticate with their own keys and may have no secret at all.
  if (!isPublic && !(method === 'private_key_jwt' && !written)) {
    const writtenKey = raw.secret !== undefined && raw.client_secret === undefined ? 'secret' : 'client_secret';
    const field = `${at}.${writtenKey}`;
    const plain = ctx.plaintextSecrets[id];
    if (!written && !plain) throw new ConfigError(ctx.file, field, `confidential client ${id} has no secret`);
    if (written && !isDigest(written)) secret = plaintextOf(written) ?? written;
    else if (!plain) throw new ConfigError(ctx.file, field, `${id}'s secret is a digest: give its plaintext as ${ctx.secretsHint}.${id} in the target profile`);
    else {
      const mismatch = (problem = `the plaintext given for ${id} does not match the digest`) => new ConfigError(ctx.file, field, problem);
      if (written && typeof ctx.verifyDigests === 'object') ctx.verifyDigests.add(written, plain, mismatch);
      else if (written && ctx.verifyDigests) checkDigest(written, plain, mismatch);
      secret = plain;
    }
    // The plaintext never goes into a source: sources are quoted in reports.
    sources.secret = !written
      ? `${ctx.secretsHint}.${id} (no secret in ${ctx.label})`
      : isDigest(written)
        ? `${ctx.label}: ${field} = ${written.split('$').slice(0, 3).join('$')}$… (plaintext from ${ctx.secretsHint}.${id})`
        : `${ctx.label}: ${field} = (plaintext, redacted)`;
  }

  const consentMode = take('consentMode', ['consent_mode'], 'auto' as ConsentMode);
  const duration = raw.pre_configured_consent_duration;
  let preConfigured: number | undefined;
  try {
    preConfigured = parseDuration(duration ?? '1w');
  } catch (err) {
    throw new ConfigError(ctx.file, `${at}.pre_configured_consent_duration`, err instanceof Error ? err.message : String(err));
  }
  sources.preConfiguredConsentDuration = duration === undefined ? 'Authelia default: pre_configured_consent_duration = 1w' : `${ctx.label}: ${at}.pre_configured_consent_duration = ${render(duration)}`;

  const sector = take('sectorIdentifierUri', ['sector_identifier_uri', 'sector_identifier'], '');
  const lifespan = take('lifespan', ['lifespan'], '');
  if (lifespan && !ctx.customLifespans.includes(lifespan)) throw new ConfigError(ctx.file, `${at}.lifespan`, `no lifespans.custom entry named ${lifespan} (${ctx.customLifespans.length ? `named: ${ctx.customLifespans.join(', ')}` : 'there is none'})`);
  const claimsPolicy = take('idTokenClaims', ['claims_policy'], '');
  if (claimsPolicy && !ctx.policies[claimsPolicy]) throw new ConfigError(ctx.file, `${at}.claims_policy`, `no claims_policies entry named ${claimsPolicy}`);
  if (claimsPolicy) sources.idTokenClaims = ctx.policies[claimsPolicy]!.source;
  else sources.idTokenClaims = 'Authelia 4.39: no claims_policy, so no scope claims in the ID token';
  const policy: string = take('authorizationPolicy', ['authorization_policy'], 'two_factor' as string);
  const authorizationPolicy = resolvePolicy(policy, ctx, `${at}.authorization_policy`);
  return {
    id,
    name: take('name', ['client_name', 'description'], id),
    ...(secret !== undefined ? { secret } : {}),
    public: isPublic,
    redirectUris,
    scopes: take('scopes', ['scopes'], CLIENT_DEFAULTS.scopes),
    grantTypes: take('grantTypes', ['grant_types'], CLIENT_DEFAULTS.grant_types),
    responseTypes: take('responseTypes', ['response_types'], CLIENT_DEFAULTS.response_types),
    responseModes: take('responseModes', ['response_modes'], CLIENT_DEFAULTS.response_modes),
    tokenEndpointAuthMethod: method,
    requirePkce: take('requirePkce', ['require_pkce'], false),
    pkceChallengeMethod: take('pkceChallengeMethod', ['pkce_challenge_method'], '' as ClientSpec['pkceChallengeMethod']),
    authorizationPolicy,
    consentMode,
    preConfiguredConsentDuration: preConfigured,
    userinfoSignedResponseAlg: take('userinfoSignedResponseAlg', ['userinfo_signed_response_alg', 'userinfo_signing_algorithm', 'userinfo_signing_alg'], 'none'),
    idTokenSignedResponseAlg: take('idTokenSignedResponseAlg', ['id_token_signed_response_alg', 'id_token_signing_alg'], 'RS256'),
    ...(sector ? { sectorIdentifierUri: sector } : {}),
    audience: take('audience', ['audience'], [] as string[]),
    ...(lifespan ? { lifespan } : {}),
    idTokenClaims: claimsPolicy ? ctx.policies[claimsPolicy]!.idToken : [],
    sources,
    entry: { file: ctx.file, field: at },
  };
}

function lifespanValue(file: string, field: string, value: unknown): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new ConfigError(file, field, err instanceof Error ? err.message : String(err));
  }
}

const LIFESPAN_KEYS: Array<[keyof Lifespans, string, string, number]> = [
  ['accessToken', 'access_token', 'access_token_lifespan', 3600],
  ['idToken', 'id_token', 'id_token_lifespan', 3600],
  ['refreshToken', 'refresh_token', 'refresh_token_lifespan', 5400],
  ['authorizeCode', 'authorize_code', 'authorize_code_lifespan', 60],
];

/** Whether `value` is a CORS allowed origin as Authelia takes it: "*", or an http(s) origin with no
 *  path, query or trailing slash (a browser's Origin header is compared with it as written). */
function isOrigin(value: string): boolean {
  if (value === '*') return true;
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(value)) return false;
  try {
    return Boolean(new URL(value).host);
  } catch {
    return false;
  }
}

/** Provider options (everything but clients) with Authelia's defaults and their sources. */
export function normaliseProvider(raw: RawProvider, file: string, label: string, prefix: string): ProviderSpec {
  const sources: Record<string, string> = {};
  const lifespans = {} as Lifespans;
  for (const [field, key, oldKey, def] of LIFESPAN_KEYS) {
    const nested = raw.lifespans?.[key as 'access_token'];
    const old = raw[oldKey as 'access_token_lifespan'];
    if (nested !== undefined) {
      lifespans[field] = lifespanValue(file, `${prefix}.lifespans.${key}`, nested);
      sources[`lifespans.${field}`] = `${label}: ${prefix}.lifespans.${key} = ${nested}`;
    } else if (old !== undefined) {
      lifespans[field] = lifespanValue(file, `${prefix}.${oldKey}`, old);
      sources[`lifespans.${field}`] = `${label}: ${prefix}.${oldKey} = ${old}`;
    } else {
      lifespans[field] = def;
      sources[`lifespans.${field}`] = `Authelia default: lifespans.${key} = ${formatDuration(def)}`;
    }
  }
  const customLifespans: ProviderSpec['customLifespans'] = {};
  for (const [name, set] of Object.entries(raw.lifespans?.custom ?? {})) {
    const out: Partial<Lifespans> = {};
    for (const [field, key] of LIFESPAN_KEYS) {
      const v = set[key as 'access_token'];
      if (v === undefined) continue;
      out[field] = lifespanValue(file, `${prefix}.lifespans.custom.${name}.${key}`, v);
      sources[`customLifespans.${name}.${field}`] = `${label}: ${prefix}.lifespans.custom.${name}.${key} = ${v}`;
    }
    customLifespans[name] = out;
  }
  const opt = <T>(name: string, key: string, value: T | undefined, def: T): T => {
    sources[name] = value === undefined ? `Authelia default: ${key} = ${render(def) || "''"}` : `${label}: ${prefix}.${key} = ${render(value)}`;
    return value ?? def;
  };
  const origins = raw.cors?.allowed_origins;
  (typeof origins === 'string' ? [origins] : origins ?? []).forEach((origin, i) => {
    if (!isOrigin(origin)) throw new ConfigError(file, `${prefix}.cors.allowed_origins${typeof origins === 'string' ? '' : `[${i}]`}`, `expected "*" or an origin (scheme, host and port only, no path or trailing slash: https://app.example.com), got ${JSON.stringify(origin)}`);
  });
  const allowedOrigins = opt('cors.allowedOrigins', 'cors.allowed_origins', origins === undefined ? undefined : typeof origins === 'string' ? [origins] : origins, [] as string[]);
  const fromRedirects = opt('cors.allowedOriginsFromClientRedirectUris', 'cors.allowed_origins_from_client_redirect_uris', raw.cors?.allowed_origins_from_client_redirect_uris, false);
  if (allowedOrigins.includes('*') && (allowedOrigins.length > 1 || fromRedirects)) {
    throw new ConfigError(file, `${prefix}.cors.allowed_origins`, '"*" must stand alone and excludes allowed_origins_from_client_redirect_uris');
  }
  return {
    lifespans,
    customLifespans,
    enforcePkce: opt('enforcePkce', 'enforce_pkce', raw.enforce_pkce, 'public_clients_only' as const),
    enablePkcePlainChallenge: opt('enablePkcePlainChallenge', 'enable_pkce_plain_challenge', raw.enable_pkce_plain_challenge, false),
    minimumParameterEntropy: opt('minimumParameterEntropy', 'minimum_parameter_entropy', raw.minimum_parameter_entropy, 8),
    cors: {
      endpoints: opt('cors.endpoints', 'cors.endpoints', raw.cors?.endpoints, [] as string[]),
      allowedOrigins,
      allowedOriginsFromClientRedirectUris: fromRedirects,
    },
    sources,
  };
}

export function checkUniqueIds(clients: ClientSpec[], file: string, prefix: string): void {
  const seen = new Set<string>();
  clients.forEach((c, i) => {
    if (seen.has(c.id)) throw new ConfigError(file, `${prefix}[${i}].client_id`, `duplicate client id ${c.id}`);
    seen.add(c.id);
  });
}

export interface ImportedConfig {
  clients: ClientSpec[];
  provider: ProviderSpec;
  /** For inline clients of a target profile that name a policy of this file. */
  policies: ClaimsPolicies;
  authorizationPolicies: ClientContext['authorizationPolicies'];
}

/** Reads `identity_providers.oidc` of an Authelia configuration.yml; `plaintextSecrets` by client id. */
export function importAutheliaConfig(file: string, plaintextSecrets: Record<string, string> = {}, verifyDigests: boolean | DeferredDigests = true): ImportedConfig {
  const doc = readYaml(file, { autheliaTemplates: true }) as { identity_providers?: { oidc?: unknown } } | null;
  const prefix = 'identity_providers.oidc';
  const oidc = doc?.identity_providers?.oidc;
  if (oidc === undefined || oidc === null) throw new ConfigError(file, prefix, 'required (no OpenID Connect provider is configured)');
  const raw = parseWith(providerSchema, oidc, file, prefix);
  const label = path.basename(file);
  const policies = claimsPolicies(raw.claims_policies, file, label, prefix);
  const ctx: ClientContext = { label, prefix: `${prefix}.clients`, file, plaintextSecrets, secretsHint: 'client_secrets', verifyDigests, policies, customLifespans: Object.keys(raw.lifespans?.custom ?? {}), authorizationPolicies: raw.authorization_policies ?? {} };
  const clients = (raw.clients ?? []).map((c, i) => normaliseClient(c, i, ctx));
  checkUniqueIds(clients, file, ctx.prefix);
  return { clients, provider: normaliseProvider(raw, file, label, prefix), policies, authorizationPolicies: ctx.authorizationPolicies };
}
