import { check, describe, collectProfile, confidential } from './harness.ts';
import type { ClientSpec } from '../src/model/target.ts';
import { errorProbes } from '../src/protocol/error-probes.ts';
import * as e from '../src/checks/token-errors.ts';
import type { ErrorSample } from '../src/checks/token-errors.ts';
import type { RunContext } from './harness.ts';

const suite = 'token-errors';
const profile = collectProfile();

// The probes change nothing at the provider (every request is refused), so both checks of a
// client judge the same answers.
const probes = new Map<string, Promise<ErrorSample[]>>();
async function samples(run: RunContext, client: ClientSpec): Promise<ErrorSample[]> {
  let p = probes.get(client.id);
  if (!p) probes.set(client.id, (p = run.discovery().then(({ meta }) => errorProbes(meta, client))));
  return p;
}

for (const client of confidential(profile)) {
  describe(client.id, () => {
    check(suite, e.tokenErrorChecks.json, async ({ run }) => e.checkErrorFormat(await samples(run, client)), client);
    check(suite, e.tokenErrorChecks.wwwAuthenticate, async ({ run }) => e.checkWwwAuthenticate(await samples(run, client)), client);
  });
}
