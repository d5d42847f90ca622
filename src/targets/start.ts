// Starts the provider under test described by a profile, whatever its start mode.

import type { TargetProfile } from '../model/target.ts';
import type { StartedTarget } from './types.ts';
import type { Fault } from './embedded/faults.ts';
import { startCommand } from './command.ts';
import { sweepCommandLeftovers } from './leftovers.ts';
import { probeDiscovery } from './wait.ts';
import { faultsSetting, SettingsError } from '../config/settings.ts';
import { shownPath } from '../config/errors.ts';
import type { ContainerStartOptions } from './container.ts';

class UnsupportedTarget extends Error {}

export async function startTarget(profile: TargetProfile, readyTimeoutMs = 5_000, container: ContainerStartOptions = {}): Promise<StartedTarget> {
  const faults = faultsSetting();
  checkFaultsApply(profile, faults);
  // Before anything starts (a leftover may hold a fixed port): command targets a run killed
  // outright left running, whatever this run's target.
  const swept = await sweepCommandLeftovers();
  const target = await startMode(profile, readyTimeoutMs, container, faults);
  target.notes.push(...swept);
  return target;
}

/** Fault switches exist only in the embedded reference provider. For any other target (also the
 *  reference's profile pointed elsewhere with --issuer) they cannot apply: a run would look like a
 *  run with them, its checks passing where the switches were meant to make them fail. Refused
 *  before anything starts (SettingsError: one line, exit 2), as a bad setting is. */
export function checkFaultsApply(profile: TargetProfile, faults: readonly string[] = faultsSetting()): void {
  if (profile.start.mode === 'embedded' || faults.length === 0) return;
  throw new SettingsError(`HARNESS_EMBEDDED_FAULTS=${faults.join(',')}: fault switches exist only in the embedded reference provider, not in ${profile.name} (${shownPath(profile.file)}, run as a ${profile.start.mode} target); unset it for this target`);
}

// The embedded provider (oidc-provider, koa) and the container launcher (Testcontainers, the
// provisioners) are loaded only for the mode that needs them: each is 0.3-0.6 s of module loading
// before anything starts, measured, which a run of another mode would only wait for.
async function startMode(profile: TargetProfile, readyTimeoutMs: number, container: ContainerStartOptions, faults: Fault[]): Promise<StartedTarget> {
  switch (profile.start.mode) {
    case 'embedded':
      return (await import('./embedded/provider.ts')).startEmbedded(profile, { faults });
    case 'command':
      return startCommand(profile, { ...(container.track ? { track: container.track } : {}) });
    case 'url': {
      const issuer = profile.issuer;
      if (!issuer) throw new UnsupportedTarget(`${profile.file}: issuer is required when the provider is already running`);
      // Already running: one bounded attempt, no waiting for it to come up.
      await probeDiscovery(issuer, readyTimeoutMs);
      return { name: profile.name, issuer, notes: [`already-running provider at ${issuer}`], stop: async () => undefined };
    }
    case 'container':
      return (await import('./container.ts')).startContainer(profile, container);
  }
}
