// The resolved model of one provider under test. Loaders (src/config) build it from a target
// profile and an Authelia-style configuration.yml; checks only ever read this model.

/** Where an expectation comes from, quoted in every failure, e.g.
 *  `configuration.yml: identity_providers.oidc.clients[1].token_endpoint_auth_method = client_secret_basic`
 *  or `Authelia default: token_endpoint_auth_method = client_secret_basic`. */
export type Source = string;

export type TokenEndpointAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'none';

export type ConsentMode = 'auto' | 'explicit' | 'implicit' | 'pre-configured';

export interface ClientSpec {
  id: string;
  name: string;
  /** Plaintext secret the harness authenticates with (never the digest). Absent for public clients. */
  secret?: string;
  public: boolean;
  redirectUris: string[];
  scopes: string[];
  grantTypes: string[];
  responseTypes: string[];
  responseModes: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  requirePkce: boolean;
  /** '' when the client does not pin a method. */
  pkceChallengeMethod: '' | 'S256' | 'plain';
  authorizationPolicy: 'one_factor' | 'two_factor';
  consentMode: ConsentMode;
  /** Seconds; undefined when not configured. */
  preConfiguredConsentDuration?: number;
  userinfoSignedResponseAlg: string;
  idTokenSignedResponseAlg: string;
  sectorIdentifierUri?: string;
  audience: string[];
  /** Name of a `lifespans.custom.<name>` entry, if the client references one. */
  lifespan?: string;
  /** Claims the client's `claims_policy` puts into the ID token (`claims_policies.<name>.id_token`). */
  idTokenClaims: string[];
  /** Source of each field above, keyed by field name, plus `client` for the client entry itself. */
  sources: Partial<Record<keyof ClientSpec | 'client', Source>>;
  /** The file and field of the client's entry (`identity_providers.oidc.clients[3]`), for a mistake
   *  found after loading, such as a redirect URI whose port another program holds. */
  entry?: { file: string; field: string };
}

export interface Lifespans {
  /** All in seconds. */
  accessToken: number;
  idToken: number;
  refreshToken: number;
  authorizeCode: number;
}

export interface ProviderSpec {
  lifespans: Lifespans;
  customLifespans: Record<string, Partial<Lifespans>>;
  enforcePkce: 'public_clients_only' | 'always' | 'never';
  enablePkcePlainChallenge: boolean;
  minimumParameterEntropy: number;
  cors: {
    endpoints: string[];
    allowedOrigins: string[];
    allowedOriginsFromClientRedirectUris: boolean;
  };
  /** Source of each field above, keyed by a dotted name such as `lifespans.idToken` or `enforcePkce`. */
  sources: Record<string, Source>;
}

export interface TestUser {
  username: string;
  /** Plaintext test password: redacted from every report and log. */
  password: string;
  /** Expected claim values for this user (email, email_verified, name, preferred_username, groups ...). */
  claims: Record<string, unknown>;
  /** Base32 TOTP secret for two-factor logins, when the provider needs one. */
  totpSecret?: string;
}

export interface FormLoginSelectors {
  username: string;
  password: string;
  submit: string;
  /** Optional consent page controls; absent when the provider shows no consent page. */
  consentAccept?: string;
  consentDeny?: string;
  /** Optional "remember this consent" control (pre-configured consent). */
  consentRemember?: string;
  /** Optional second-factor (TOTP) page controls. */
  otp?: string;
  otpSubmit?: string;
}

export type LoginDriverSpec =
  | { driver: 'form'; selectors: FormLoginSelectors }
  | { driver: 'embedded' }
  /** A provider's own drivers, registered in src/providers/ under this name. */
  | { driver: 'provider'; name: string };

export type StartSpec =
  /** In-process reference provider configured from `configFile`. */
  | { mode: 'embedded'; configFile: string }
  /** A local process; the issuer must answer discovery within `readyTimeoutMs`. With `port`
   *  ('auto' picks a free one), `${PORT}` and `${NAME}` / `${NAME:-default}` (environment) are
   *  filled into the command, its arguments, its env values and the issuer before start. */
  | { mode: 'command'; command: string; args: string[]; cwd: string; env: Record<string, string>; readyTimeoutMs: number; port?: number | 'auto' }
  /** A container started with Testcontainers (see ContainerSpec). */
  | ({ mode: 'container' } & ContainerSpec)
  /** An already-running provider, given only by its issuer URL. */
  | { mode: 'url' };

/** A file put into the container before it starts. `${PORT}` and `${NAME}` / `${NAME:-default}`
 *  (environment) are filled in when `template` is true. */
export interface ContainerFile {
  /** A file of the definition, or a key the harness makes for the run. */
  source: string | { generate: 'rsa-private-key' };
  target: string;
  template: boolean;
}

/** A provider that speaks https on a host name: the harness makes a CA and a certificate for
 *  `hostname` per run, puts them at `certificate` and `key` in the container, maps the name to
 *  loopback and trusts that CA (for itself and its browser only). */
export interface ContainerTls {
  hostname: string;
  certificate: string;
  key: string;
}

/** One provisioning step after the container is up: a command run inside it, or a provider's
 *  admin API driven by the harness from the profile's clients and users. */
export type ProvisionStep =
  | { exec: string[] }
  /** A step a provider folder registers (src/providers/<name>/), with its validated arguments. */
  | { step: string; args: Record<string, string | number | boolean> };

export interface ContainerSpec {
  /** Image reference, pinned tag. Built from `build` when absent locally (or when asked to). */
  image: string;
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  /** The port the provider listens on inside; bound 1:1 on the host so the issuer is the same
   *  inside and out. 'auto' picks a free one and hands it to the config as `${PORT}`. */
  port: number | 'auto';
  files: ContainerFile[];
  env: Record<string, string>;
  command?: string[];
  /** Path answered with 200 once the server is up (before provisioning); discovery when absent. */
  readyPath?: string;
  /** A log line that says the server is up (instead of a path). */
  readyLog?: string;
  tls?: ContainerTls;
  readyTimeoutMs: number;
  provision: ProvisionStep[];
}

export type ClaimsProfile = 'authelia-legacy' | 'authelia-4.39' | 'oidc-core';

import type { ProviderBehaviour } from './behaviour.ts';

export interface TargetProfile {
  /** Short name used in report folder names. */
  name: string;
  /** Absolute path of the profile file (or of the built-in default). */
  file: string;
  start: StartSpec;
  /** Expected issuer. For `embedded` targets it is only known after start and filled in then. */
  issuer?: string;
  login: LoginDriverSpec;
  users: TestUser[];
  clients: ClientSpec[];
  provider: ProviderSpec;
  /** The documented behaviour the profile names (`provider:`), beyond the standard and the
   *  configured values; undefined when it names none. */
  behaviour?: ProviderBehaviour;
  claimsProfile: ClaimsProfile;
  /** Absolute path of the imported configuration.yml, if any. */
  configFile?: string;
  /** Absolute path of a checked-in verdict file: the run fails when a verdict differs from it. */
  expectedResults?: string;
  /** Endpoints the provider has but discovery does not list (introspection_endpoint,
   *  revocation_endpoint, userinfo_endpoint), by their metadata names; discovery's own win. */
  endpoints?: Record<string, string>;
  /** How clients authenticate at the introspection endpoint, where the profile names it
   *  (`endpoints.introspection_endpoint_auth_method`). */
  introspectionAuthMethod?: TokenEndpointAuthMethod;
  /** Parallel workers this provider copes with (--workers and HARNESS_WORKERS override it). */
  workers?: number;
}
