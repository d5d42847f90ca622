import type { TlsTrust } from './tls.ts';

/** A provider under test that is up and answering discovery. Modelled on Testcontainers'
 *  StartedTestContainer: everything that was started is stopped by `stop()`. */
export interface StartedTarget {
  readonly name: string;
  readonly issuer: string;
  /** Extra facts for the report (image tag, pid ...). */
  readonly notes: string[];
  /** The image under test, for container targets (recorded in the report). */
  readonly image?: string;
  /** Start to ready (discovery answering), for container targets (npm run bench). */
  readonly readyMs?: number;
  /** How to reach a TLS provider (host name mapping and the run's CA), passed to the workers. */
  readonly tls?: TlsTrust;
  /** Authorization requests the provider received so far, where it can count them (embedded). */
  authorizations?(): number;
  stop(): Promise<void>;
}

export interface TargetStartOptions {
  /** Upper bound for the provider to answer discovery. */
  readyTimeoutMs?: number;
}

