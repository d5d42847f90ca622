import { check, describe, collectProfile, screenshot, skip, withSignedInPage } from './harness.ts';
import * as r from '../src/checks/redirect-uri.ts';
import type { Request } from 'playwright';
import { visibleKind } from '../src/browser/drivers.ts';

const suite = 'redirect-uri';
const profile = collectProfile();

for (const client of profile.clients) {
  const registered = client.redirectUris.find((u) => u !== r.OOB);
  if (!registered) continue;
  describe(client.id, () => {
    for (const v of r.variants(registered)) {
      check(suite, r.redirectCheck(v.name, v.title), async ({ session, run }) => {
        if ('skip' in v) skip(v.skip);
        const req = await session.request(client, v.uri === undefined ? { params: { redirect_uri: undefined } } : { redirectUri: v.uri });
        r.checkRejected(await session.stayWithin(req, client), v.uri, client, new URL(run.issuer).origin);
      }, client);
    }

    check(suite, r.oobCheck, async ({ session, run }) => {
      if (client.public && !client.redirectUris.includes(r.OOB)) skip(`${client.id} is public but has not registered ${r.OOB}`);
      if (client.public) skip(`${client.id} registered ${r.OOB}; showing the code out of band is not checked yet`);
      const req = await session.request(client, { redirectUri: r.OOB });
      r.checkRejected(await session.stayWithin(req, client), r.OOB, client, new URL(run.issuer).origin);
    }, client);

    check(suite, r.errorPageCheck, async ({ session, run }) => {
      const bad = 'https://rp.invalid/callback';
      const req = await session.request(client, { redirectUri: bad });
      // Signed in first: a login page (shown to anyone signed out) must not pass for the error page.
      return withSignedInPage(session, client, `${r.errorPageCheck.id}-${client.id}`, async (page) => {
        let sawRequestTo: string | undefined;
        const watch = (q: Request) => {
          if (q.url().startsWith(bad)) sawRequestTo = q.url();
        };
        page.on('request', watch);
        try {
          // An error status with an empty body is still a refusal on the provider's origin; Chromium
          // then shows its own error page, which is what the user sees and what the screenshot keeps.
          let bare: string | undefined;
          const open = () =>
            page.goto(req.url.href, { waitUntil: 'load' }).catch((err: unknown) => {
              // Sent to the unregistered URI (which does not resolve): the provider's failure, said below.
              if (sawRequestTo) return undefined;
              if (!(err instanceof Error) || !err.message.includes('ERR_HTTP_RESPONSE_CODE_FAILURE')) throw err;
              bare = 'the provider answered with an error status and no page (Chromium shows its own error page)';
              return undefined;
            });
          const shown = async () => (bare ? 'unknown' : visibleKind(page, session.selectors));
          let res = await open();
          let kind = await shown();
          if (kind === 'login') {
            // The session made over raw HTTP was not taken in the browser (a provider may bind it to
            // more than its cookies): sign in by typing, as a user would, and ask again.
            await session.signInInBrowser(page, client);
            res = await open();
            kind = await shown();
          }
          r.checkStayedOnProvider(bare ? req.url.href : page.url(), sawRequestTo, new URL(run.issuer).origin, bad);
          r.checkErrorPageShown({ kind, status: bare ? undefined : res?.status(), html: bare ? '' : await page.content(), url: bare ? req.url.href : page.url() }, bad);
          // The error page replaces the reference suite's manual REVIEW step: keep it in the report.
          const label = bare ?? `the error page shown for an unregistered redirect_uri (HTTP ${res?.status() ?? '?'})`;
          return screenshot(page, `redirect-uri-error-${client.id}`, label);
        } finally {
          page.off('request', watch);
        }
      });
    }, client);
  });
}
