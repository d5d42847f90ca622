import { describe, expect, it } from 'vitest';
import { HttpSession } from './session.ts';

describe('HttpSession.toBrowserCookies', () => {
  it('hands the jar to a browser context: host-only stays host-only, flags and expiry kept', async () => {
    const s = new HttpSession();
    await s.jar.setCookie('authelia_session=abc; Path=/; HttpOnly; SameSite=Lax', 'http://127.0.0.1:29011/api/firstfactor');
    await s.jar.setCookie('wide=1; Domain=example.test; Path=/app; Secure; Max-Age=60', 'https://auth.example.test/');
    const cookies = await s.toBrowserCookies();
    expect(cookies).toContainEqual({ name: 'authelia_session', value: 'abc', domain: '127.0.0.1', path: '/', secure: false, httpOnly: true, sameSite: 'Lax' });
    const wide = cookies.find((c) => c.name === 'wide');
    expect(wide).toMatchObject({ domain: '.example.test', path: '/app', secure: true, httpOnly: false });
    expect(wide?.expires).toBeGreaterThan(Date.now() / 1000);
  });

  it('a deleted cookie stays deleted; an expiry past the year 9999 is held to what the browser takes', async () => {
    const s = new HttpSession();
    await s.jar.setCookie('gone=1; Path=/; Max-Age=0', 'http://127.0.0.1:1/');
    await s.jar.setCookie('old=1; Path=/; Expires=Thu, 01 Jan 2015 00:00:00 GMT', 'http://127.0.0.1:1/');
    await s.jar.setCookie('forever=1; Path=/; Max-Age=999999999999', 'http://127.0.0.1:1/');
    const cookies = await s.toBrowserCookies();
    expect(cookies.map((c) => c.name)).toEqual(['forever']);
    expect(cookies[0]?.expires).toBe(253402300799);
  });

  it('a browser cookie read back into the jar comes out the same', async () => {
    const s = new HttpSession();
    await s.addBrowserCookies([{ name: 'sid', value: 'x', domain: 'localhost', path: '/', secure: false, httpOnly: true }]);
    expect(await s.toBrowserCookies()).toEqual([expect.objectContaining({ name: 'sid', value: 'x', domain: 'localhost', path: '/' })]);
  });
});
