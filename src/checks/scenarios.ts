// scenario.<name>: one interop scenario (scenarios/<name>.yaml) as a check of the run: the
// simulated application logs in through the provider as the scenario expects. The verdict and
// diagnosis come from src/scenarios/run.ts; this turns them into a check result.

import type { CheckDef, Evidence } from '../model/check.ts';
import { RP_MODELS } from '../rp/models/index.ts';
import type { TranscriptEntry } from '../rp/app.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { ScenarioVerdict } from '../scenarios/run.ts';
import { fail, skip } from './verdict.ts';

export function scenarioCheck(s: Scenario): CheckDef {
  const model = RP_MODELS[s.relying_party]!;
  return {
    id: `scenario.${s.name}`,
    title: s.description ?? `${model.title} logs in through the provider`,
    severity: 'failure',
    spec: `scenarios/${s.name}.yaml (relying party: ${model.title})`,
  };
}

/** The transcript as evidence, one HTTP exchange or browser step a row. */
export function transcriptEvidence(transcript: TranscriptEntry[]): Evidence[] {
  return transcript.map(({ step, ...http }, i) => ({ label: `${i + 1}. ${step}`, http }));
}

/** Passes with who logged in (and the transcript), fails with the diagnosis, skips with the reason. */
export function checkScenario(s: Scenario, v: ScenarioVerdict): Evidence[] {
  if (v.outcome === 'skipped') skip(v.message);
  const evidence = [
    ...(v.via ? [{ label: "the provider's pages", data: v.via === 'raw HTTP' ? 'answered over raw HTTP (plain forms), as the run\'s other logins are; the browser answers them with --full and in npm run scenario' : 'answered in the browser' }] : []),
    ...(v.login.loggedIn ? [{ label: 'logged in', data: { username: v.login.username, groups: v.login.groups, readFrom: v.login.readFrom } }] : []),
    // The refusal the scenario exists to show: what the application said, as a person reads it.
    ...(!v.login.loggedIn && v.outcome === 'passed' && v.login.diagnosis ? [{ label: 'refused as expected', data: { rule: v.login.diagnosis.rule, step: v.login.diagnosis.step, title: v.login.diagnosis.title, ...(v.login.diagnosis.fix ? { fix: v.login.diagnosis.fix } : {}) } }] : []),
    ...transcriptEvidence(v.login.transcript),
  ];
  if (v.outcome === 'passed') return evidence;
  const d = v.diagnosis;
  return fail({
    message: `${s.name}: ${v.message}${d?.fix ? `. Fix: ${d.fix}` : ''}`,
    source: d ? `${d.rule}: ${d.source}` : `scenarios/${s.name}.yaml: expect`,
    expected: d?.expected ?? s.expect,
    observed: d?.observed ?? { loggedIn: v.login.loggedIn, username: v.login.username, groups: v.login.groups },
    evidence,
  });
}
