// Starts the provider under test described by a profile, whatever its start mode.

import type { TargetProfile } from '../model/target.ts';
import type { StartedTarget } from './types.ts';
import { startEmbedded } from './embedded/provider.ts';
import { startCommand } from './command.ts';
import { probeDiscovery } from './wait.ts';

export class UnsupportedTarget extends Error {}

export async function startTarget(profile: TargetProfile, readyTimeoutMs = 5_000): Promise<StartedTarget> {
  switch (profile.start.mode) {
    case 'embedded':
      return startEmbedded(profile);
    case 'command':
      return startCommand(profile);
    case 'url': {
      const issuer = profile.issuer;
      if (!issuer) throw new UnsupportedTarget(`${profile.file}: issuer is required when the provider is already running`);
      // Already running: one bounded attempt, no waiting for it to come up.
      await probeDiscovery(issuer, readyTimeoutMs);
      return { name: profile.name, issuer, notes: [`already-running provider at ${issuer}`], stop: async () => undefined };
    }
    case 'container':
      throw new UnsupportedTarget(`${profile.file}: start.mode container is not supported yet (Testcontainers targets come with a later issue)`);
  }
}
