// `npm run scenario -- scenarios/<file>.yaml [--target <profile folder or target.yml>]`: one
// application logging in through the provider, to reproduce "app X cannot log in". Prints the
// redacted step-by-step transcript, the verdict, on failure the diagnosis (step, what the
// application expected, what the provider sent, the rule and its source, the likely fix), and
// the Authelia client configuration for the application. Exit 0 when the application behaves as
// the scenario expects, 1 when not, 2 on bad input (one line naming the file and field), 3 when
// the scenario does not apply to the target (SKIP with the reason: nothing was shown either way).

import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, shownPath } from '../config/errors.ts';
import { readSettings } from '../config/settings.ts';
import { ROOT, resolveProfile, SetupError } from './run.ts';
import { checkFaultsApply, startTarget } from '../targets/start.ts';
import { applyTrust } from '../targets/tls.ts';
import { startRelyingParties } from '../rp/server.ts';
import { launchBrowser } from '../browser/launch.ts';
import { browserDriver } from '../browser/drivers.ts';
import { createRedactor, knownSecrets } from '../report/redact.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { runScenario } from '../scenarios/run.ts';
import { autheliaSnippet } from '../scenarios/snippet.ts';
import { formatTranscript, formatVerdict } from './scenario-format.ts';
import { runMain } from './entry.ts';
import { INTERRUPTS, interruptedExitCode } from './signals.ts';
import { existingUserPath } from './user-path.ts';

const USAGE = 'usage: npm run scenario -- <scenarios/file.yaml> [--target <profile folder or target.yml>] (default target: the embedded reference, docker/reference)';

class UsageError extends Error {}

/** A skipped scenario is neither a pass (nothing was shown) nor a mistake in the file (2). */
const SCENARIO_EXIT = { passed: 0, failed: 1, skipped: 3 } as const;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { target: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('give exactly one scenario file');
  const settings = readSettings(process.env);
  // Relative to the folder the command was typed in, not the package root npm runs it in.
  const scenario = loadScenario(existingUserPath(parsed.positionals[0]!));
  const profile = resolveProfile({ target: parsed.values.target === undefined ? path.join(ROOT, 'docker/reference') : existingUserPath(parsed.values.target) });
  checkFaultsApply(profile, settings.faults);
  const client = profile.clients.find((c) => c.id === scenario.client);
  if (!client) throw new ConfigError(scenario.file, 'client', `${scenario.client} is not a client of ${shownPath(profile.file)} (clients: ${profile.clients.map((c) => c.id).join(', ')})`);
  if (scenario.user && !profile.users.some((u) => u.username === scenario.user)) throw new ConfigError(scenario.file, 'user', `${scenario.user} is not a user of ${shownPath(profile.file)} (users: ${profile.users.map((u) => u.username).join(', ')})`);
  const redactor = createRedactor(knownSecrets(profile));

  const stops: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    while (stops.length) await stops.pop()!().catch(() => undefined);
  };
  // Interrupted: everything started is stopped and the command ends with 128 + the signal's number
  // (130 for Ctrl-C). What the cut-short flow throws meanwhile (Playwright's "context closed") is
  // no verdict and is not printed.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    void cleanup().then(() => {
      process.stderr.write(`interrupted (${signal}): everything the scenario started is stopped; no verdict\n`);
      process.exit(interruptedExitCode(signal));
    });
  };
  const untilExit = () => new Promise<never>(() => undefined);
  for (const signal of INTERRUPTS) process.on(signal, onSignal);
  try {
    let target;
    try {
      target = await startTarget(profile, undefined, { redact: redactor.text, track: (stop) => stops.push(stop) });
    } catch (err) {
      throw new SetupError(`${profile.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    stops.push(() => target.stop());
    applyTrust(target.tls);
    const rps = await startRelyingParties(profile.clients);
    stops.push(() => rps.stop());
    const browser = await launchBrowser({ ...process.env, ...(target.tls ? { HARNESS_TLS_TRUST: JSON.stringify(target.tls) } : {}) });
    stops.push(() => browser.close());
    console.log(`scenario ${scenario.name} (${scenario.relying_party}, client ${client.id}) against ${profile.name} at ${target.issuer}`);
    const verdict = await runScenario(scenario, { profile, issuer: target.issuer, browser, driver: browserDriver(profile.login), redactor }).catch((err: unknown) => (interrupted ? untilExit() : Promise.reject(err)));
    if (interrupted) return untilExit();
    if (verdict.outcome !== 'skipped') {
      console.log('transcript (redacted):');
      console.log(formatTranscript(verdict.login.transcript, redactor));
    }
    console.log(formatVerdict(verdict, redactor));
    console.log(`\nThe client's entry for this application in configuration.yml (the Authelia format profiles are written in):\n${autheliaSnippet(scenario, client)}`);
    return SCENARIO_EXIT[verdict.outcome];
  } catch (err) {
    if (interrupted) return untilExit();
    throw err;
  } finally {
    // Interrupted, the signal handler stops everything and exits.
    if (!interrupted) {
      await cleanup();
      for (const signal of INTERRUPTS) process.removeListener(signal, onSignal);
    }
  }
}

runMain(main, (err) => err instanceof UsageError, USAGE);
