import { describe, expect, it } from 'vitest';
import { createRedactor, knownSecrets, REDACTED } from './redact.ts';
import type { TargetProfile } from '../model/target.ts';

const CLIENT_SECRET = 'sup3r-s3cret/with+chars&=';
const PASSWORD = 'hunter2-password!';
const r = createRedactor([CLIENT_SECRET, PASSWORD, 'abc']);

function basic(id: string, secret: string): string {
  return Buffer.from(`${id}:${secret}`).toString('base64');
}

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactor', () => {
  it('replaces known secrets raw, percent-encoded, form-encoded and JSON-escaped', () => {
    const texts = [
      `secret is ${CLIENT_SECRET}.`,
      `client_id=app&client_sec=${encodeURIComponent(CLIENT_SECRET)}`,
      `x=${new URLSearchParams({ s: CLIENT_SECRET }).toString().slice(2)}`,
      JSON.stringify({ nested: { deeper: [`pw ${PASSWORD}`] } }),
    ];
    for (const t of texts) {
      const out = r.text(t);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain(CLIENT_SECRET);
      expect(out).not.toContain(encodeURIComponent(CLIENT_SECRET));
      expect(out).not.toContain(PASSWORD);
    }
  });

  it('ignores secrets shorter than 4 characters', () => {
    expect(r.text('abc abcd')).toBe('abc abcd');
  });

  it('redacts credential parameters by name, keeping response_type=code and friends', () => {
    const url = 'https://rp.example/cb?code=authz-code-123&state=xyz&response_type=code&grant_type=authorization_code&token_type_hint=refresh_token';
    const out = r.text(url);
    expect(out).not.toContain('authz-code-123');
    expect(out).toContain(`code=${REDACTED}&state=xyz`);
    expect(out).toContain('response_type=code');
    expect(out).toContain('grant_type=authorization_code');
    expect(out).toContain('token_type_hint=refresh_token');

    const form = 'grant_type=refresh_token&refresh_token=rt-999&client_secret=unknown-sec&code_verifier=ver-abc&password=p4ss&token=tok-1&access_token=at-1&id_token=opaque-id';
    const f = r.text(form);
    for (const v of ['rt-999', 'unknown-sec', 'ver-abc', 'p4ss', 'tok-1', 'at-1', 'opaque-id']) expect(f).not.toContain(v);
    expect(f).toContain('grant_type=refresh_token');
  });

  it('redacts credential fields in JSON bodies but not numeric codes or other fields', () => {
    const body = JSON.stringify({ access_token: 'opaque-at', token_type: 'Bearer', refresh_token: 'opaque-rt', expires_in: 300, id_token: JWT, scope: 'openid' });
    const out = r.text(body);
    expect(out).not.toContain('opaque-at');
    expect(out).not.toContain('opaque-rt');
    expect(out).not.toContain(JWT);
    expect(JSON.parse(out)).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'openid', access_token: REDACTED });
    expect(r.text('{"code": 400, "error":"invalid_grant"}')).toBe('{"code": 400, "error":"invalid_grant"}');
  });

  it('redacts JWTs anywhere, including JWE and unsigned tokens', () => {
    expect(r.text(`token ${JWT} end`)).toBe(`token ${REDACTED} end`);
    expect(r.text('x eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0. y')).toBe(`x ${REDACTED} y`);
    expect(r.text('eyJhbGciOiJkaXIifQ..aXY.Y2lwaGVy.dGFn')).toBe(REDACTED);
    expect(r.text('eyJ is how JSON headers start.')).toBe('eyJ is how JSON headers start.');
  });

  it('keeps the scheme of Authorization headers and cookie names', () => {
    const id = 'my-client';
    const b = basic(id, 'not-a-known-one');
    expect(r.text(`Authorization: Basic ${b}`)).toBe(`Authorization: Basic ${REDACTED}`);
    expect(r.text('authorization: Bearer opaque.token')).toBe(`authorization: Bearer ${REDACTED}`);
    expect(r.text('authorization: denied by the user')).toBe('authorization: denied by the user');
    expect(r.text('Cookie: sid=abc123; theme=dark')).toBe(`Cookie: sid=${REDACTED}; theme=${REDACTED}`);
    expect(r.text('Set-Cookie: sid=abc123; Path=/; HttpOnly; Secure')).toBe(`Set-Cookie: sid=${REDACTED}; Path=/; HttpOnly; Secure`);
    expect(r.text('{"authorization":"Basic Zm9vOmJhcg=="}')).toBe(`{"authorization":"Basic ${REDACTED}"}`);
  });

  it('redacts deep values: header records, secret keys, nested arrays, and leaves the input alone', () => {
    const input = {
      evidence: [
        {
          label: 'token',
          http: {
            request: {
              method: 'POST',
              url: `https://op.example/token?client_secret=${encodeURIComponent(CLIENT_SECRET)}`,
              headers: { Authorization: `Basic ${basic('app', CLIENT_SECRET)}`, cookie: 'a=1; b=2', 'content-type': 'application/x-www-form-urlencoded' },
              body: `grant_type=authorization_code&code=c0de-xyz&redirect_uri=https%3A%2F%2Frp%2Fcb&code_verifier=v-123`,
            },
            response: {
              status: 200,
              headers: { 'set-cookie': 'sid=zzz; Path=/, other=yyy; Expires=Wed, 21 Oct 2015 07:28:00 GMT' },
              body: JSON.stringify({ access_token: 'at-xyz', id_token: JWT, nested: { password: PASSWORD } }),
            },
          },
          data: { user: { password: 'plain-unknown', name: 'Alice' }, list: [[CLIENT_SECRET]], secret: 'ssss-xxx', count: 3, ok: true, nothing: null },
        },
      ],
    };
    const snapshot = JSON.stringify(input);
    const out = r.value(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    const text = JSON.stringify(out);
    for (const leak of [CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), basic('app', CLIENT_SECRET), PASSWORD, 'plain-unknown', 'c0de-xyz', 'v-123', 'at-xyz', JWT, 'zzz', 'yyy', 'ssss-xxx', 'a=1']) {
      expect(text, leak).not.toContain(leak);
    }
    const ev = out.evidence[0]!;
    expect(ev.http.request.headers.Authorization).toBe(`Basic ${REDACTED}`);
    expect(ev.http.request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(ev.http.response.headers['set-cookie']).toBe(`sid=${REDACTED}; Path=/, other=${REDACTED}; Expires=Wed, 21 Oct 2015 07:28:00 GMT`);
    expect(ev.http.request.body).toContain('grant_type=authorization_code');
    expect(ev.http.request.body).toContain('redirect_uri=https%3A%2F%2Frp%2Fcb');
    expect(ev.data.user.name).toBe('Alice');
    expect(ev.data.count).toBe(3);
    expect(ev.data.nothing).toBeNull();
  });

  it('is idempotent', () => {
    const once = r.text(`Authorization: Basic abcdefgh\ncode=xyz ${JWT} Set-Cookie: a=b; Path=/`);
    expect(r.text(once)).toBe(once);
  });

  it('knownSecrets lists passwords, client secrets and both Basic spellings', () => {
    const profile = {
      users: [{ username: 'alice', password: 'alice-pw', claims: {}, totpSecret: 'JBSWY3DPEHPK3PXP' }, { username: 'b', password: 'pw', claims: {} }],
      clients: [
        { id: 'my app', secret: 'sec ret+1', public: false },
        { id: 'spa', public: true },
      ],
    } as unknown as TargetProfile;
    const secrets = knownSecrets(profile);
    expect(secrets).toEqual(expect.arrayContaining(['alice-pw', 'JBSWY3DPEHPK3PXP', 'sec ret+1', basic('my app', 'sec ret+1'), basic('my+app', 'sec+ret%2B1')]));
    expect(secrets).not.toContain('pw');
    const red = createRedactor(secrets);
    expect(red.text(`x ${basic('my app', 'sec ret+1')} y`)).toBe(`x ${REDACTED} y`);
  });
});
