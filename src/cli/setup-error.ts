/** A setup problem the user can fix (a profile, a target that does not start, no browser):
 *  printed as one line, exit code 2 (src/cli/entry.ts). */
export class SetupError extends Error {}
