import { check } from './harness.ts';
import { checkScenario, scenarioCheck } from '../src/checks/scenarios.ts';
import { readRunInputs } from '../src/session/run-inputs.ts';
import { runScenario } from '../src/scenarios/run.ts';

const suite = 'scenarios';
// The scenarios/ folder as the CLI read and validated it before the run (a mistake stops it with exit 2).
const { scenarios } = readRunInputs();

for (const scenario of scenarios) {
  // The application's login from no session is what is tested: a login session of its own, over
  // raw HTTP where the provider's pages are plain forms (as every other login of the run; the
  // login checks drive those pages in a browser), in a fresh browser context where they are not,
  // and in the browser throughout with --full (certification), as `npm run scenario` does.
  check(suite, scenarioCheck(scenario), async ({ run, sessions, session }) => {
    // An application that reads the discovery document (discovery: issuer), or whose endpoints
    // were copied from it (typed), cannot log in without it: blocked by discovery.reachable when
    // that fails, not one more failure of the same cause.
    if (typeof scenario.discovery === 'string') await run.discovery();
    return checkScenario(scenario, await runScenario(scenario, { profile: run.profile, issuer: run.issuer, browser: sessions.browser, driver: session.driver, redactor: run.redactor, overHttp: !run.full }));
  });
}
