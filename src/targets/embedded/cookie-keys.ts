// The embedded provider's cookie signer, passed as oidc-provider's `cookies.keys` ("you may also
// pass your own KeyGrip instance", @types/oidc-provider). The cookies are signed exactly as with a
// key list (keygrip's HMAC-SHA1, base64url, what koa's `cookies` writes as `<name>.sig`); only the
// check differs. keygrip compares through tsscmp, which draws 32 random bytes and computes two
// more HMACs for every signed cookie it reads: about 110 µs a read against 7 µs with Node's
// timingSafeEqual (Node 24 here), and oidc-provider reads several signed cookies per request.

import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** What koa's `cookies` asks of `keys` (keygrip's interface, one key here). */
export interface CookieSigner {
  /** The signature of `data`: HMAC-SHA1 under the key, base64url without padding. */
  sign(data: string): string;
  /** Whether `digest` is the signature of `data`. */
  verify(data: string, digest: string): boolean;
  /** 0 when `digest` is the signature of `data`, else -1 (keygrip: the index of the key that made it). */
  index(data: string, digest: string): number;
}

/** A signer over one secret (`secret`: its bytes, at least 32 of them for HMAC-SHA1's sake). The
 *  comparison takes the same time whatever the bytes of a same-length `digest` are. */
export function cookieSigner(secret: Buffer): CookieSigner {
  const key: KeyObject = createSecretKey(secret);
  const sign = (data: string): string => createHmac('sha1', key).update(data).digest('base64url');
  const index = (data: string, digest: string): number => {
    const given = Buffer.from(String(digest));
    const expected = Buffer.from(sign(data));
    return given.length === expected.length && timingSafeEqual(given, expected) ? 0 : -1;
  };
  return { sign, index, verify: (data, digest) => index(data, digest) === 0 };
}
