import type { TargetProfile } from '../model/target.ts';

/** A provider under test that is up and answering discovery. Modelled on Testcontainers'
 *  StartedTestContainer: everything that was started is stopped by `stop()`. */
export interface StartedTarget {
  readonly name: string;
  readonly issuer: string;
  /** Extra facts for the report (image tag, pid ...). */
  readonly notes: string[];
  stop(): Promise<void>;
}

export interface TargetStartOptions {
  /** Upper bound for the provider to answer discovery. */
  readyTimeoutMs?: number;
}

export type TargetLauncher = (profile: TargetProfile, options?: TargetStartOptions) => Promise<StartedTarget>;
