// What a worker has learned of one test user's browser sign-ins, per client: a sign-in that could
// not be completed (LoginError: the driver found no login or consent page, the login page came
// back after the password ...) is kept, and every later sign-in of that user for that client in
// the worker fails at once with it, instead of each check waiting out the driver's bound again. A
// login driver whose selectors matched nothing made a default run take 20 minutes (15 s for every
// batch). Kept per client, not per user: a provider may refuse one client's request on a page of
// its own (an unknown client, a redirect URI it does not accept) while the others sign in, and
// that refusal must not decide the other clients' verdicts.

import { LoginError } from '../browser/drivers.ts';

export class SignIns {
  private readonly failed = new Map<string, LoginError>();
  private readonly succeeded = new Set<string>();

  readonly username: string;

  constructor(username: string) {
    this.username = username;
  }

  /** Runs `signIn` (a browser sign-in of this user for `clientId`) unless one has failed before
   *  without any having succeeded; then throws that failure (a LoginError naming the user and the
   *  client) at once. A LoginError after a success is the check's own and is not kept: the user
   *  can sign in for that client, so the cause lies in what that check asked. Other errors pass
   *  through untouched. */
  async attempt<T>(clientId: string, signIn: () => Promise<T>): Promise<T> {
    const kept = this.failed.get(clientId);
    if (kept) throw kept;
    try {
      const done = await signIn();
      this.succeeded.add(clientId);
      return done;
    } catch (err) {
      if (!(err instanceof LoginError) || this.succeeded.has(clientId)) throw err;
      // Still unrecognised where it was: a check that meets it again must not pin it on the provider.
      const failure = new LoginError(`${this.username} could not be signed in for ${clientId} (in this worker every check that needs it fails with this): ${err.message}`, { unrecognised: err.unrecognised });
      this.failed.set(clientId, failure);
      throw failure;
    }
  }

  /** Records a sign-in of this user for `clientId` made without the browser (raw HTTP). */
  signedIn(clientId: string): void {
    this.succeeded.add(clientId);
  }
}
