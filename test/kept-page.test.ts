// The worker's kept signed-in page (WorkerSession.keptPage), which the error-page checks share:
// signed in once with a login session of its own, the same page for every check of the worker,
// discarded when a check failed in it and signed in again only when the next check asks.

import { describe, expect, it } from 'vitest';
import { env } from './embedded-env.ts';
import { workerSession } from './worker-session.ts';

describe('WorkerSession.keptPage', () => {
  it('is signed in, kept, made anew after a discard, and closed with the session', async () => {
    const e = await env([]);
    const s = workerSession(e);
    const client = e.client('basic');
    const page = await s.keptPage(client);
    // Signed in: an authorization of a client with implicit consent lands on its redirect URI
    // without a login page in between.
    const req = await s.request(client);
    const landed = page.waitForRequest((r) => r.url().startsWith(req.redirectUri));
    // No listener at the redirect URI here: the navigation ends in Chromium's error page.
    await page.goto(req.url.href, { waitUntil: 'commit' }).catch(() => undefined);
    expect(new URL((await landed).url()).searchParams.get('code')).toBeTruthy();
    expect(await s.keptPage(client)).toBe(page);

    await s.discardKeptPage();
    expect(page.isClosed()).toBe(true);
    const fresh = await s.keptPage(client);
    expect(fresh).not.toBe(page);
    expect(await s.keptPage(client)).toBe(fresh);
    // Its own login session: the worker's raw-HTTP session was never signed in.
    expect((await fresh.context().cookies()).length).toBeGreaterThan(0);

    await s.close();
    expect(fresh.isClosed()).toBe(true);
  }, 30_000);
});
