// Drives the embedded provider's login and consent forms over raw HTTP. The browser drives the same
// pages in the suites; this path exists for the harness's own tests and the bench's raw-HTTP figure.

import type { TestUser } from '../../model/target.ts';
import { HttpSession } from '../../protocol/session.ts';

export async function codeOverHttp(session: HttpSession, authorizationUrl: URL, redirectUri: string, user: TestUser, consent: 'accept' | 'deny' = 'accept'): Promise<URL> {
  let r = await session.follow(authorizationUrl, redirectUri);
  for (let step = 0; step < 4 && r.kind === 'page'; step++) {
    const uid = /\/interaction\/([^/?#]+)/.exec(r.url.pathname)?.[1];
    if (!uid || r.status !== 200) throw new Error(`embedded provider: unexpected page ${r.url.pathname} (HTTP ${r.status})`);
    const base = new URL(`/interaction/${uid}/`, r.url);
    if (r.body.includes('id="username"')) {
      r = await session.follow(new URL('login', base), redirectUri, { username: user.username, password: user.password });
    } else {
      r = await session.follow(new URL(consent === 'accept' ? 'confirm' : 'abort', base), redirectUri, {});
    }
  }
  if (r.kind !== 'callback') throw new Error(`embedded provider: no redirect to ${redirectUri} (last page ${r.url.pathname})`);
  return r.url;
}

export { HttpSession };
