// Provisioning after a container is up: commands run inside it, or a provider's admin API driven
// from the profile's own clients and users (a step its folder in src/providers/ registers), so the
// provider is set up from the same list the checks use.

import type { ProvisionStep } from '../../model/target.ts';
import { provisionStep } from '../../providers/index.ts';
import { ProvisionError, type ProvisionContext } from './types.ts';

export { ProvisionError, type ProvisionContext };

/** Runs the steps in order; returns notes for the report. A failing step stops the start. */
export async function provision(steps: ProvisionStep[], ctx: ProvisionContext): Promise<string[]> {
  const notes: string[] = [];
  for (const [i, step] of steps.entries()) {
    if ('exec' in step) {
      const res = await ctx.container.exec(step.exec);
      // Commands may echo what they were given (TOTP secrets): only the exit code is reported.
      if (res.exitCode !== 0) throw new ProvisionError(`start.provision[${i}]: \`${step.exec[0]} ...\` exited with ${res.exitCode}`);
      notes.push(`provisioned: ${step.exec.slice(0, 4).join(' ')} ...`);
    } else {
      const known = provisionStep(step.step);
      if (!known) throw new ProvisionError(`start.provision[${i}]: no provider registers the step ${step.step}`);
      notes.push(...(await known.run(ctx, step.args)));
    }
  }
  return notes;
}
