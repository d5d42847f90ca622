// The signals that cut a command short (Ctrl-C, kill, a closed terminal) and the exit code a
// command so ended gives, the same for every command of the CLI.

import os from 'node:os';

/** SIGINT (Ctrl-C), SIGTERM (kill, a CI job cancelled), SIGHUP (the terminal closed). */
export const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** 128 + the signal's number, as a shell reports a process the signal ended: 130 for SIGINT,
 *  143 for SIGTERM, 129 for SIGHUP. */
export function interruptedExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 2);
}
