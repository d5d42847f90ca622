// Provisioning after a container is up: commands run inside it, or an admin API driven from the
// profile's own clients and users (so the provider is set up from the same list the checks use).

import type { StartedTestContainer } from 'testcontainers';
import type { ProvisionStep, TargetProfile } from '../../model/target.ts';
import { provisionGlewlwyd } from './glewlwyd.ts';

export interface ProvisionContext {
  profile: TargetProfile;
  issuer: string;
  port: number;
  container: StartedTestContainer;
}

export class ProvisionError extends Error {}

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
      notes.push(...(await provisionGlewlwyd(ctx, step.glewlwyd_admin)));
    }
  }
  return notes;
}
