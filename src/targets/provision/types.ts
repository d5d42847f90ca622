// What a provisioning step gets: the profile, the started container and where it answers.

import type { StartedTestContainer } from 'testcontainers';
import type { TargetProfile } from '../../model/target.ts';

export interface ProvisionContext {
  profile: TargetProfile;
  issuer: string;
  port: number;
  container: StartedTestContainer;
}

export class ProvisionError extends Error {}
