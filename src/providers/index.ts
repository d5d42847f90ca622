// The registry of providers with specifics of their own: login drivers, provisioning steps and
// documented behaviours. Adding a provider whose login pages are a JavaScript app is one folder
// here and one line below; nothing else names it.

import type { ProviderBehaviour } from '../model/behaviour.ts';
import type { ProviderModule, ProvisionStepDef } from './types.ts';
import { authelia } from './authelia/index.ts';
import { glewlwyd } from './glewlwyd/index.ts';

export type { ProviderModule, ProvisionStepDef };

const PROVIDERS: readonly ProviderModule[] = [authelia, glewlwyd];

/** Login driver names the profile accepts besides the generic `form` and `embedded`. */
export const PROVIDER_DRIVERS: readonly string[] = PROVIDERS.map((p) => p.driver);

export function providerModule(driver: string): ProviderModule {
  const found = PROVIDERS.find((p) => p.driver === driver);
  if (!found) throw new Error(`no provider registers the login driver ${driver} (known: ${PROVIDER_DRIVERS.join(', ')})`);
  return found;
}

export function provisionStep(step: string): ProvisionStepDef | undefined {
  return PROVIDERS.flatMap((p) => p.provision ?? []).find((s) => s.step === step);
}

export const BEHAVIOURS: ReadonlyMap<string, ProviderBehaviour> = new Map(PROVIDERS.flatMap((p) => p.behaviours ?? []).map((b) => [b.name, b]));

export function behaviourNamed(name: string): ProviderBehaviour | undefined {
  return BEHAVIOURS.get(name);
}
