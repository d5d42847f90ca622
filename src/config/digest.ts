// Client secret digests as Authelia writes them: `$pbkdf2-sha512$<iterations>$<salt>$<key>` in
// Authelia's adapted base64 (`.` for `+`, no padding). Others (argon2, bcrypt, scrypt, sha2crypt)
// cannot be checked here and are taken on trust when a plaintext is given.

import { pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const PBKDF2 = /^\$pbkdf2(?:-(sha256|sha512|sha384|sha224))?\$(\d+)\$([A-Za-z0-9./+]+)\$([A-Za-z0-9./+]+)$/;

function decode(adapted: string): Buffer {
  return Buffer.from(adapted.replace(/\./g, '+'), 'base64');
}

function encode(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '.').replace(/=+$/, '');
}

const PLAINTEXT = '$plaintext$';

/** The secret of `$plaintext$<secret>`, Authelia's prefix for a secret stored as it is (its
 *  OpenID Connect client docs write `secret: '$plaintext$gitlab_client_secret'`); else undefined. */
export function plaintextOf(secret: string): string | undefined {
  return secret.startsWith(PLAINTEXT) ? secret.slice(PLAINTEXT.length) : undefined;
}

/** Whether `secret` is a digest (`$<scheme>$…`), not a plaintext nor a `$plaintext$` one. */
export function isDigest(secret: string): boolean {
  return secret.startsWith('$') && plaintextOf(secret) === undefined;
}

interface Pbkdf2Digest {
  hash: string;
  salt: Buffer;
  iterations: number;
  key: Buffer;
}

function parse(digest: string): Pbkdf2Digest | undefined {
  const m = PBKDF2.exec(digest);
  return m ? { hash: m[1] ?? 'sha1', salt: decode(m[3]!), iterations: Number(m[2]), key: decode(m[4]!) } : undefined;
}

const matches = (d: Pbkdf2Digest, derived: Buffer) => derived.length === d.key.length && timingSafeEqual(derived, d.key);

// The same digest is often written for several clients (one secret, copied): pbkdf2 at Authelia's
// 310000 rounds costs ~0.3 s, so each pair is derived once per process, by either function.
const verified = new Map<string, boolean | undefined>();
const verifying = new Map<string, Promise<boolean | undefined>>();

/** true/false for pbkdf2 digests; undefined when the scheme cannot be verified here. Throws when
 *  pbkdf2 refuses the digest's parameters (0 rounds). */
export function verifyDigest(digest: string, plain: string): boolean | undefined {
  const key = `${digest}\0${plain}`;
  if (!verified.has(key)) {
    const d = parse(digest);
    verified.set(key, d && matches(d, pbkdf2Sync(plain, d.salt, d.iterations, d.key.length, d.hash)));
  }
  return verified.get(key);
}

/** verifyDigest off the event loop (libuv's thread pool): several digests derive in parallel,
 *  while the caller goes on. */
export function verifyDigestAsync(digest: string, plain: string): Promise<boolean | undefined> {
  const key = `${digest}\0${plain}`;
  if (verified.has(key)) return Promise.resolve(verified.get(key));
  let p = verifying.get(key);
  if (!p) {
    const d = parse(digest);
    p = !d
      ? Promise.resolve(undefined)
      : new Promise<boolean>((resolve, reject) => pbkdf2(plain, d.salt, d.iterations, d.key.length, d.hash, (err, derived) => (err ? reject(err) : resolve(matches(d, derived)))));
    p.then((ok) => verified.set(key, ok), () => undefined);
    verifying.set(key, p);
  }
  return p;
}

/** The error for a plaintext that fails its digest: `mismatch()` when they differ,
 *  `mismatch(problem)` when the digest cannot be derived at all (a round count pbkdf2 refuses). */
export type DigestMismatch = (problem?: string) => Error;

const cannotCheck = (err: unknown) => `the digest cannot be checked: ${err instanceof Error ? err.message : String(err)}`;

/** Checks `plain` against `digest` now; throws the error `mismatch` makes. */
export function checkDigest(digest: string, plain: string, mismatch: DigestMismatch): void {
  let ok: boolean | undefined;
  try {
    ok = verifyDigest(digest, plain);
  } catch (err) {
    throw mismatch(cannotCheck(err));
  }
  if (ok === false) throw mismatch();
}

/** Digest checks collected while a profile loads and derived when awaited (`settled`), on libuv's
 *  thread pool, all at once. The CLI awaits them once the suites are handed over: until then both
 *  cores load the CLI, the provider and Playwright's runner, and a derivation (pbkdf2 at Authelia's
 *  310000 rounds: 0.25 CPU-s here) would only slow them; afterwards the CLI waits while the runner
 *  collects the suites on the other core. A failure is the same error checkDigest throws. */
export class DeferredDigests {
  private readonly pending: Array<() => Promise<Error | undefined>> = [];

  add(digest: string, plain: string, mismatch: DigestMismatch): void {
    this.pending.push(() => verifyDigestAsync(digest, plain).then((ok) => (ok === false ? mismatch() : undefined), (err: unknown) => mismatch(cannotCheck(err))));
  }

  /** Starts the checks not started yet; resolves when every check passed, or throws the first
   *  failure in the order they were added. */
  async settled(): Promise<void> {
    const first = (await Promise.all(this.pending.map((start) => start()))).find((e) => e !== undefined);
    if (first) throw first;
  }
}

export function hashClientSecretPbkdf2(plain: string, salt: Buffer = randomBytes(16), iterations = 310000): string {
  const key = pbkdf2Sync(plain, salt, iterations, 64, 'sha512');
  return `$pbkdf2-sha512$${iterations}$${encode(salt)}$${encode(key)}`;
}
