import path from 'node:path';
import { check } from './harness.ts';
import { checkScenario, scenarioCheck } from '../src/checks/scenarios.ts';
import { loadScenarios } from '../src/scenarios/schema.ts';
import { runScenario } from '../src/scenarios/run.ts';

const suite = 'scenarios';
// The CLI validated every file before the run (a mistake stops it with exit 2).
const dir = path.resolve(import.meta.dirname, '../scenarios');
const scenarios = loadScenarios(dir);

for (const scenario of scenarios) {
  // A fresh browser context per scenario: the application's login, from no session, is what is tested.
  check(suite, scenarioCheck(scenario), async ({ run, sessions, session }) =>
    checkScenario(scenario, await runScenario(scenario, { profile: run.profile, issuer: run.issuer, browser: await sessions.browser(), driver: session.driver, redactor: run.redactor })),
  );
}
