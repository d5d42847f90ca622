import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cookieSigner } from './cookie-keys.ts';

// keygrip is what oidc-provider (through koa's cookies) signs with when given a list of keys.
const Keygrip = createRequire(import.meta.url)('keygrip') as new (keys: string[]) => { sign(data: string): string; index(data: string, digest: string): number };

describe('cookieSigner', () => {
  it('signs as HMAC-SHA1 in base64url (the well-known example: key "key", the quick brown fox)', () => {
    // de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9 in hex
    expect(cookieSigner(Buffer.from('key')).sign('The quick brown fox jumps over the lazy dog')).toBe('3nybhbi3iqa8ino29wqQcBydtNk');
  });

  it('signs and accepts exactly what keygrip does with the same secret', () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const ours = cookieSigner(secret);
    const theirs = new Keygrip([secret.toString()]);
    for (const data of ['_session=abc', '_interaction=Zm9v.YmFy; path=/', '']) {
      expect(ours.sign(data)).toBe(theirs.sign(data));
      expect(ours.index(data, theirs.sign(data))).toBe(0);
      expect(theirs.index(data, ours.sign(data))).toBe(0);
    }
  });

  it('refuses a signature of other data, another key, or another length', () => {
    const signer = cookieSigner(Buffer.from('k'.repeat(32)));
    const good = signer.sign('_session=abc');
    expect(signer.verify('_session=abc', good)).toBe(true);
    expect(signer.index('_session=abd', good)).toBe(-1);
    expect(signer.index('_session=abc', cookieSigner(Buffer.from('j'.repeat(32))).sign('_session=abc'))).toBe(-1);
    expect(signer.index('_session=abc', good.slice(1))).toBe(-1);
    expect(signer.index('_session=abc', `${good}A`)).toBe(-1);
    expect(signer.verify('_session=abc', '')).toBe(false);
  });
});
