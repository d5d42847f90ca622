import { describe, expect, it } from 'vitest';
import { client } from '../../test/profile-fixture.ts';
import { introspectionAuthMethod } from './client-auth.ts';

describe('introspectionAuthMethod (RFC 7662 §2.1)', () => {
  const post = client('post', { tokenEndpointAuthMethod: 'client_secret_post' });
  it('takes the method the profile names', () => {
    expect(introspectionAuthMethod(post, 'client_secret_basic')).toBe('client_secret_basic');
  });
  it("else the client's own registered method", () => {
    expect(introspectionAuthMethod(post)).toBe('client_secret_post');
  });
});
