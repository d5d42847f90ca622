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

export function isDigest(secret: string): boolean {
  return secret.startsWith('$');
}

// The same digest is often written for several clients (one secret, copied): pbkdf2 at Authelia's
// 310000 rounds costs ~0.3 s, so each pair is derived once per process.
const verified = new Map<string, boolean | undefined>();

/** true/false for pbkdf2 digests; undefined when the scheme cannot be verified here. */
export function verifyDigest(digest: string, plain: string): boolean | undefined {
  const key = `${digest}\0${plain}`;
  if (!verified.has(key)) verified.set(key, derive(digest, plain));
  return verified.get(key);
}

const verifying = new Map<string, Promise<boolean | undefined>>();

/** verifyDigest off the event loop (libuv's thread pool): several digests derive in parallel,
 *  while the caller goes on (the CLI starts the provider meanwhile). */
export function verifyDigestAsync(digest: string, plain: string): Promise<boolean | undefined> {
  const key = `${digest}\0${plain}`;
  if (verified.has(key)) return Promise.resolve(verified.get(key));
  let p = verifying.get(key);
  if (!p) {
    const m = PBKDF2.exec(digest);
    p = !m
      ? Promise.resolve(undefined)
      : new Promise<boolean>((resolve, reject) => {
          const want = decode(m[4]!);
          pbkdf2(plain, decode(m[3]!), Number(m[2]), want.length, m[1] ?? 'sha1', (err, derived) => (err ? reject(err) : resolve(derived.length === want.length && timingSafeEqual(derived, want))));
        });
    p.then((ok) => verified.set(key, ok), () => undefined);
    verifying.set(key, p);
  }
  return p;
}

/** Digest checks started while a profile loads and awaited later (`settled`), so their cost
 *  overlaps what comes next. A mismatch is the same ConfigError the synchronous check throws. */
export class DeferredDigests {
  private readonly checks: Array<Promise<Error | undefined>> = [];

  /** `mismatch(problem?)`: the error to report, with `problem` when the digest could not be
   *  derived at all (a round count pbkdf2 refuses) rather than not matched. */
  add(digest: string, plain: string, mismatch: (problem?: string) => Error): void {
    this.checks.push(verifyDigestAsync(digest, plain).then((ok) => (ok === false ? mismatch() : undefined), (err: unknown) => mismatch(`the digest cannot be checked: ${err instanceof Error ? err.message : String(err)}`)));
  }

  /** Resolves when every check passed; throws the first mismatch in the order they were added. */
  async settled(): Promise<void> {
    const first = (await Promise.all(this.checks)).find((e) => e !== undefined);
    if (first) throw first;
  }
}

function derive(digest: string, plain: string): boolean | undefined {
  const m = PBKDF2.exec(digest);
  if (!m) return undefined;
  const hash = m[1] ?? 'sha1';
  const key = decode(m[4]!);
  const derived = pbkdf2Sync(plain, decode(m[3]!), Number(m[2]), key.length, hash);
  return derived.length === key.length && timingSafeEqual(derived, key);
}

export function hashClientSecretPbkdf2(plain: string, salt: Buffer = randomBytes(16), iterations = 310000): string {
  const key = pbkdf2Sync(plain, salt, iterations, 64, 'sha512');
  return `$pbkdf2-sha512$${iterations}$${encode(salt)}$${encode(key)}`;
}
