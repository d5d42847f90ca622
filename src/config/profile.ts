// Target profiles: one YAML file (or a folder holding target.yml) describing a provider under test.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ClaimsProfile, ClientSpec, LoginDriverSpec, ProviderSpec, ProvisionStep, StartSpec, TargetProfile, TestUser } from '../model/target.ts';
import { ConfigError } from './errors.ts';
import { BEHAVIOURS, behaviourNamed, PROVIDER_DRIVERS, provisionStep } from '../providers/index.ts';
import { parseDuration } from './duration.ts';
import { checkUniqueIds, claimsPolicies, importAutheliaConfig, type ClaimsPolicies, type ImportedConfig, normaliseClient, normaliseProvider, parseWith, providerSchema, readYaml, shownValue } from './authelia.ts';
import { NON_STANDARD_CLAIM_TYPES, STANDARD_CLAIM_TYPES, typeProblem } from '../checks/claims.ts';
import type { DeferredDigests } from './digest.ts';
import { isBase32 } from '../browser/totp.ts';
import { selectorProblem } from '../browser/selector-syntax.ts';

const start = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('embedded') }).strict(),
  z
    .object({
      mode: z.literal('command'),
      command: z.array(z.string()).min(1),
      cwd: z.string().optional(),
      env: z.record(z.string(), z.string()).optional(),
      port: z.union([z.literal('auto'), z.number().int().min(1).max(65535)]).optional(),
      ready_timeout: z.union([z.string(), z.number()]).optional(),
    })
    .strict(),
  z
    .object({
      mode: z.literal('container'),
      image: z.string().min(1),
      build: z.object({ context: z.string(), dockerfile: z.string().optional(), args: z.record(z.string(), z.string()).optional() }).strict().optional(),
      port: z.union([z.literal('auto'), z.number().int().min(1).max(65535)]).optional(),
      files: z
        .array(
          z.union([
            z.object({ source: z.string(), target: z.string().startsWith('/'), template: z.boolean().optional() }).strict(),
            z.object({ generate: z.literal('rsa-private-key'), target: z.string().startsWith('/') }).strict(),
          ]),
        )
        .optional(),
      tls: z.object({ hostname: z.string().regex(/^[a-z0-9.-]+\.[a-z]+$/, 'a host name with a dot (cookie domains refuse bare names)'), certificate: z.string().startsWith('/'), key: z.string().startsWith('/') }).strict().optional(),
      ready_log: z.string().optional(),
      env: z.record(z.string(), z.string()).optional(),
      command: z.array(z.string()).optional(),
      ready_path: z.string().startsWith('/').optional(),
      ready_timeout: z.union([z.string(), z.number()]).optional(),
      // One key per entry, `exec` or a step a provider registers (src/providers/<name>/): each
      // checked by providerStep below, so a mistake names the step's own field.
      provision: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .strict(),
  z.object({ mode: z.literal('url') }).strict(),
], { error: 'expected mode embedded, command, container or url' });

/** A login selector: one Playwright can parse (src/browser/selector-syntax.ts), else the run's
 *  every browser step would fail with Playwright's message. */
const selector = z.string().superRefine((value, ctx) => {
  const problem = selectorProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9._-]+$/, 'lower-case letters, digits, dot, dash and underscore only (it names report folders)'),
    start: start.optional(),
    issuer: z.string().optional(),
    config: z.string().optional(),
    client_secrets: z.record(z.string(), z.string()).optional(),
    claims_profile: z.enum(['authelia-4.39', 'authelia-legacy', 'oidc-core']).optional(),
    provider: z.enum([...BEHAVIOURS.keys()] as [string, ...string[]], { error: `expected one of ${[...BEHAVIOURS.keys()].join(', ')} (or leave it out: then only the standard and the configured values are expected)` }).optional(),
    login: z
      .object({
        driver: z.enum(['embedded', 'form', ...PROVIDER_DRIVERS] as [string, ...string[]]).optional(),
        selectors: z
          .object({ username: selector, password: selector, submit: selector, consent_accept: selector.optional(), consent_deny: selector.optional(), consent_remember: selector.optional(), otp: selector.optional(), otp_submit: selector.optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    users: z
      .array(
        z
          .object({ username: z.string().min(1), password: z.string().min(1), totp_secret: z.string().refine(isBase32, 'not base32 (RFC 4648: the letters A-Z and the digits 2-7), which a TOTP secret is').optional(), claims: z.record(z.string(), z.unknown()).optional() })
          .strict(),
      )
      .min(1),
    clients: z.array(z.unknown()).optional(),
    provider_options: z.unknown().optional(),
    expected_results: z.string().optional(),
    endpoints: z.object({ introspection_endpoint: z.url(), revocation_endpoint: z.url(), userinfo_endpoint: z.url(), introspection_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post']) }).partial().strict().optional(),
    workers: z.number().int().min(1).max(16).optional(),
  })
  .strict();

const DEFAULT_PROVIDER_OPTIONS = {};

function resolveFile(pathOrDir: string): string {
  const abs = path.resolve(pathOrDir);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    const inside = path.join(abs, 'target.yml');
    if (!existsSync(inside)) throw new ConfigError(inside, '', 'not found (a target folder must hold target.yml)');
    return inside;
  }
  if (!existsSync(abs)) throw new ConfigError(abs, '', 'not found');
  return abs;
}

function issuerOf(value: string | undefined, file: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    // A container target's (or a command target's with start.port) issuer may name its port as
    // ${PORT}, known only at start.
    url = new URL(value.replaceAll('${PORT}', '1'));
  } catch {
    throw new ConfigError(file, 'issuer', `not an absolute URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(file, 'issuer', `must be http or https: ${value}`);
  if (url.search || url.hash) throw new ConfigError(file, 'issuer', `must not have a query or fragment: ${value}`);
  return value.replace(/\/$/, '');
}

function readyTimeout(value: string | number | undefined, fallbackMs: number, file: string): number {
  if (value === undefined) return fallbackMs;
  try {
    return parseDuration(value) * 1000;
  } catch (err) {
    throw new ConfigError(file, 'start.ready_timeout', err instanceof Error ? err.message : String(err));
  }
}

export interface LoadOptions {
  /** Check plaintext secrets against pbkdf2 digests (default true; costly, so done once per run).
   *  A DeferredDigests collects the checks instead, for the caller to await (`settled`) later. */
  verifyDigests?: boolean | DeferredDigests;
}

export function loadProfile(pathOrDir: string, options: LoadOptions = {}): TargetProfile {
  const verifyDigests = options.verifyDigests ?? true;
  const file = resolveFile(pathOrDir);
  const dir = path.dirname(file);
  const raw = parseWith(profileSchema, readYaml(file), file, '');
  const label = path.basename(file);
  const secrets = raw.client_secrets ?? {};

  if (raw.config !== undefined && raw.provider_options !== undefined) throw new ConfigError(file, 'provider_options', 'give provider options either in the config file or inline, not both');
  let clients: ClientSpec[] = [];
  let provider: ProviderSpec;
  let configFile: string | undefined;
  let policies: ClaimsPolicies = {};
  let authorizationPolicies: ImportedConfig['authorizationPolicies'] = {};
  if (raw.config !== undefined) {
    configFile = path.resolve(dir, raw.config);
    if (!existsSync(configFile)) throw new ConfigError(file, 'config', `not found: ${raw.config}`);
    ({ clients, provider, policies, authorizationPolicies } = importAutheliaConfig(configFile, secrets, verifyDigests));
  } else {
    const inline = parseWith(providerSchema, raw.provider_options ?? DEFAULT_PROVIDER_OPTIONS, file, 'provider_options');
    if (inline.clients) throw new ConfigError(file, 'provider_options.clients', 'list inline clients under clients:, not provider_options.clients');
    provider = normaliseProvider(inline, file, label, 'provider_options');
    policies = claimsPolicies(inline.claims_policies, file, label, 'provider_options');
    authorizationPolicies = inline.authorization_policies ?? {};
  }
  const inlineClients = (raw.clients ?? []).map((c, i) => normaliseClient(c, i, { label, prefix: 'clients', file, plaintextSecrets: secrets, secretsHint: 'client_secrets', verifyDigests, policies, customLifespans: Object.keys(provider.customLifespans), authorizationPolicies }));
  clients = [...clients, ...inlineClients];
  if (clients.length === 0) throw new ConfigError(file, 'clients', 'no clients: give a config file or list clients inline');
  checkUniqueIds(clients, file, 'clients');
  for (const id of Object.keys(secrets)) {
    if (!clients.some((c) => c.id === id)) throw new ConfigError(file, `client_secrets.${id}`, 'no client has this id');
  }

  const startRaw = raw.start ?? { mode: 'url' as const };
  const issuer = issuerOf(raw.issuer, file);
  let startSpec: StartSpec;
  switch (startRaw.mode) {
    case 'embedded':
      if (issuer) throw new ConfigError(file, 'issuer', 'not allowed for embedded targets (their issuer is known when they start)');
      if (!configFile) throw new ConfigError(file, 'config', 'required for embedded targets');
      startSpec = { mode: 'embedded', configFile };
      break;
    case 'command': {
      if (!issuer) throw new ConfigError(file, 'issuer', 'required for command targets');
      if (issuer.includes('${PORT}') && startRaw.port === undefined) throw new ConfigError(file, 'issuer', '${PORT} is only filled in when start.port is given (auto or a number)');
      const [command, ...args] = startRaw.command;
      startSpec = {
        mode: 'command',
        command: command!,
        args,
        cwd: path.resolve(dir, startRaw.cwd ?? '.'),
        env: startRaw.env ?? {},
        readyTimeoutMs: readyTimeout(startRaw.ready_timeout, 20_000, file),
        ...(startRaw.port !== undefined ? { port: startRaw.port } : {}),
      };
      break;
    }
    case 'container': {
      if (!issuer) throw new ConfigError(file, 'issuer', 'required for container targets (the URL the host reaches, ${PORT} for the port picked at start)');
      for (const [i, f] of (startRaw.files ?? []).entries()) {
        if ('source' in f && !existsSync(path.resolve(dir, f.source))) throw new ConfigError(file, `start.files[${i}].source`, `not found: ${f.source}`);
      }
      if (startRaw.tls && new URL(issuer.replaceAll('${PORT}', '1')).hostname !== startRaw.tls.hostname) throw new ConfigError(file, 'issuer', `must be on start.tls.hostname ${startRaw.tls.hostname}`);
      if (startRaw.build && !existsSync(path.resolve(dir, startRaw.build.context))) throw new ConfigError(file, 'start.build.context', `not found: ${startRaw.build.context}`);
      startSpec = {
        mode: 'container',
        image: startRaw.image,
        ...(startRaw.build ? { build: { context: path.resolve(dir, startRaw.build.context), dockerfile: startRaw.build.dockerfile ?? 'Dockerfile', args: startRaw.build.args ?? {} } } : {}),
        port: startRaw.port ?? 'auto',
        files: (startRaw.files ?? []).map((f) => ('source' in f ? { source: path.resolve(dir, f.source), target: f.target, template: f.template ?? true } : { source: { generate: f.generate }, target: f.target, template: false })),
        ...(startRaw.tls ? { tls: startRaw.tls } : {}),
        ...(startRaw.ready_log ? { readyLog: startRaw.ready_log } : {}),
        env: startRaw.env ?? {},
        ...(startRaw.command ? { command: startRaw.command } : {}),
        ...(startRaw.ready_path ? { readyPath: startRaw.ready_path } : {}),
        readyTimeoutMs: readyTimeout(startRaw.ready_timeout, 60_000, file),
        provision: (startRaw.provision ?? []).map((step, i) => providerStep(step, file, i)),
      };
      break;
    }
    case 'url':
      if (!issuer) throw new ConfigError(file, 'issuer', 'required (the provider is already running: give its issuer URL)');
      startSpec = { mode: 'url' };
      break;
  }

  const driver = raw.login?.driver ?? 'form';
  let login: LoginDriverSpec;
  if (driver === 'form') {
    const s = raw.login?.selectors;
    if (!s) throw new ConfigError(file, 'login.selectors', 'required for the form login driver');
    login = { driver, selectors: { username: s.username, password: s.password, submit: s.submit, ...(s.consent_accept ? { consentAccept: s.consent_accept } : {}), ...(s.consent_deny ? { consentDeny: s.consent_deny } : {}), ...(s.consent_remember ? { consentRemember: s.consent_remember } : {}), ...(s.otp ? { otp: s.otp } : {}), ...(s.otp_submit ? { otpSubmit: s.otp_submit } : {}) } };
  } else {
    if (raw.login?.selectors) throw new ConfigError(file, 'login.selectors', `only for the form driver, not ${driver}`);
    login = driver === 'embedded' ? { driver } : { driver: 'provider', name: driver };
  }

  const behaviour = raw.provider ? behaviourNamed(raw.provider) : undefined;
  raw.users.forEach((u, i) => checkClaimTypes(u.claims ?? {}, file, `users[${i}].claims`));
  const users: TestUser[] = raw.users.map((u) => ({ username: u.username, password: u.password, claims: u.claims ?? {}, ...(u.totp_secret ? { totpSecret: u.totp_secret } : {}) }));
  const { introspection_endpoint_auth_method: _method, ...urls } = raw.endpoints ?? {};
  return {
    name: raw.name,
    file,
    start: startSpec,
    ...(issuer ? { issuer } : {}),
    login,
    users,
    clients,
    provider,
    ...(behaviour ? { behaviour } : {}),
    claimsProfile: (raw.claims_profile ?? behaviour?.claimsProfile ?? 'oidc-core') as ClaimsProfile,
    ...(configFile ? { configFile } : {}),
    ...(raw.expected_results ? { expectedResults: path.resolve(dir, raw.expected_results) } : {}),
    ...(urls && Object.keys(urls).length ? { endpoints: urls } : {}),
    ...(raw.endpoints?.introspection_endpoint_auth_method ? { introspectionAuthMethod: raw.endpoints.introspection_endpoint_auth_method } : {}),
    ...(raw.workers ? { workers: raw.workers } : {}),
  };
}

/** A user's expected claims typed as the claims.types-* checks type the provider's (OIDC Core §5.1,
 *  and groups as relying parties read it): `email_verified: 'yes'` was taken as expected, and every
 *  check comparing that claim then failed, blaming the provider. */
function checkClaimTypes(claims: Record<string, unknown>, file: string, prefix: string): void {
  for (const [claim, value] of Object.entries(claims)) {
    const type = STANDARD_CLAIM_TYPES[claim] ?? NON_STANDARD_CLAIM_TYPES[claim];
    const field = `${prefix}.${claim}`;
    const problem = type && typeProblem(type, value, (v) => shownValue(v, field));
    if (problem) throw new ConfigError(file, field, problem);
  }
}

const EXEC = z.array(z.string()).min(1, { error: 'the command and its arguments: at least the command' });

/** One `start.provision` entry: `exec`, or a step a provider registers, its arguments validated. */
function providerStep(step: Record<string, unknown>, file: string, i: number): ProvisionStep {
  const field = `start.provision[${i}]`;
  const entries = Object.entries(step);
  if (entries.length !== 1) throw new ConfigError(file, field, `one step per entry (exec, or a step a provider registers), got ${entries.length ? entries.map(([k]) => k).join(', ') : 'none'}`);
  const [name, args] = entries[0]!;
  if (name === 'exec') return { exec: parseWith(EXEC, args, file, `${field}.exec`) };
  const known = provisionStep(name);
  if (!known) throw new ConfigError(file, field, `unknown step ${name} (exec, or a step a provider registers)`);
  const fields = Object.fromEntries(Object.entries(known.args).map(([key, type]) => [key, type === 'string' ? z.string() : type === 'number' ? z.number() : z.boolean()]));
  return { step: name, args: parseWith(z.object(fields).strict(), args, file, `${field}.${name}`) };
}
