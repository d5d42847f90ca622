// The basis of an expectation, decided in one place: the standard always applies, a value the
// configuration sets always applies, and a default the configuration importer filled in applies
// only when the profile names the provider whose default it is (`provider:`). What does not apply
// is skipped with the reason, never passed.

import type { TargetProfile } from '../model/target.ts';
import { isDefaultSource } from '../model/behaviour.ts';
import { skip } from './verdict.ts';

/** Skips unless the value at `source` is an expectation for this profile. `what` names the value
 *  for the reason, e.g. `response_modes of kasm`. */
export function expectConfigured(profile: TargetProfile, source: string | undefined, what: string): void {
  if (!isDefaultSource(source) || profile.behaviour?.configurationDefaults) return;
  skip(`${what} is not set in the configuration, and its default (${source}) is one provider's own; the profile names no provider (provider:) whose defaults to expect`);
}
