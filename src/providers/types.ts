// The shape every provider folder exports (src/providers/<name>/index.ts): what the harness needs
// to know of one provider beyond the standard, and nothing the generic layers would have to name.

import type { z } from 'zod';
import type { FormLoginSelectors } from '../model/target.ts';
import type { ProviderBehaviour } from '../model/behaviour.ts';
import type { BrowserDriver } from '../browser/steps.ts';
import type { AppDriver } from '../protocol/form-flow.ts';
import type { ProvisionContext } from '../targets/provision/types.ts';

/** A provisioning step a profile can list under `start.provision` (`<step>: { ...args }`). */
export interface ProvisionStepDef<A = unknown> {
  /** The key in the profile, e.g. `glewlwyd_admin`. */
  step: string;
  /** Its arguments, validated when the profile loads. */
  args: z.ZodType<A>;
  /** Runs it; returns notes for the report. */
  run(ctx: ProvisionContext, args: A): Promise<string[]>;
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
