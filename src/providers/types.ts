// The shape every provider folder exports (src/providers/<name>/index.ts): what the harness needs
// to know of one provider beyond the standard, and nothing the generic layers would have to name.

import type { FormLoginSelectors } from '../model/target.ts';
import type { ProviderBehaviour } from '../model/behaviour.ts';
import type { BrowserDriver } from '../browser/steps.ts';
import type { AppDriver } from '../protocol/form-flow.ts';
import type { ProvisionContext } from '../targets/provision/types.ts';

/** The type of one argument of a provisioning step. */
export type ProvisionArgType = 'string' | 'number' | 'boolean';

type ArgValue<T extends ProvisionArgType> = T extends 'string' ? string : T extends 'number' ? number : boolean;

/** Arguments as a step receives them, from their declared types. */
export type ProvisionArgs<F extends Record<string, ProvisionArgType>> = { [K in keyof F]: ArgValue<F[K]> };

/** A provisioning step a profile can list under `start.provision` (`<step>: { ...args }`). */
export interface ProvisionStepDef<F extends Record<string, ProvisionArgType> = Record<string, ProvisionArgType>> {
  /** The key in the profile, e.g. `glewlwyd_admin`. */
  step: string;
  /** Its arguments by name, each required and of its type, no others: checked when the profile
   *  loads (src/config/profile.ts). Declared, not a schema, so that the registry, which the
   *  suites load for the login drivers, needs no validator. */
  args: F;
  /** Runs it; returns notes for the report. */
  run(ctx: ProvisionContext, args: ProvisionArgs<F>): Promise<string[]>;
}

/** `def`, its `run` typed by its own `args`, as the registry lists every step. The cast is sound:
 *  the profile loader passes `run` only arguments checked against `def.args`. */
export function provisionStepDef<F extends Record<string, ProvisionArgType>>(def: ProvisionStepDef<F>): ProvisionStepDef {
  return def as unknown as ProvisionStepDef;
}

export interface ProviderModule {
  /** The profile's `login.driver` value that selects this provider's drivers. */
  driver: string;
  /** Selectors the raw-HTTP form reader and the browser use on its pages. */
  selectors: FormLoginSelectors;
  /** Its browser driver (the whole authorization, one sign-in, which pages only a browser can read). */
  browser: Omit<BrowserDriver, 'selectors'>;
  /** Its login app answered over its own JSON API, where it has one (codes without a browser). */
  app?: AppDriver;
  provision?: ProvisionStepDef[];
  /** Documented behaviours a profile can name with `provider:`. */
  behaviours?: ProviderBehaviour[];
}
