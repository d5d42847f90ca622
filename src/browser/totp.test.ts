import { describe, expect, it } from 'vitest';
import { totp } from './totp.ts';

describe('totp', () => {
  it('matches the RFC 6238 SHA-1 test vectors (8 digits)', () => {
    // RFC 6238 appendix B secret "12345678901234567890" in base32.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totp(secret, 59_000, 30, 8)).toBe('94287082');
    expect(totp(secret, 1111111109_000, 30, 8)).toBe('07081804');
    expect(totp(secret, 20000000000_000, 30, 8)).toBe('65353130');
  });
});
