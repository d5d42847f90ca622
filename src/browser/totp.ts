// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as Authelia and most providers use, from a base32 secret.

import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The secret as base32Decode reads it: spaces and trailing `=` padding dropped, upper case. */
function normalized(secret: string): string {
  return secret.replace(/=+$/, '').replace(/\s+/g, '').toUpperCase();
}

/** Whether `secret` is base32 (RFC 4648: A-Z and 2-7, case and spaces ignored, `=` padding at the
 *  end) with at least one character, what totp() can use. */
export function isBase32(secret: string): boolean {
  const clean = normalized(secret);
  return clean.length > 0 && [...clean].every((ch) => ALPHABET.includes(ch));
}

function base32Decode(secret: string): Buffer {
  const clean = normalized(secret);
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error('TOTP secret is not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secret: string, at: number = Date.now(), step = 30, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / step)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}
