// A mistake in a user's file: printed as one line naming the file and the field, exit code 2.

import path from 'node:path';

/** `file` as error lines show it: relative to the folder the command was typed in (npm's INIT_CWD:
 *  npm runs its scripts in the package root), as the paths the user gives are read
 *  (src/cli/user-path.ts); absolute when it is outside that folder. */
export function shownPath(file: string): string {
  const rel = path.relative(process.env.INIT_CWD || process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export class ConfigError extends Error {
  readonly file: string;
  /** The field, dotted (`identity_providers.oidc.clients[1].client_secret`); '' when the problem
   *  is the file as a whole (not found, not a file), and then left out of the message. */
  readonly field: string;
  readonly problem: string;
  constructor(file: string, field: string, problem: string) {
    super(`${shownPath(file)}: ${field ? `${field}: ` : ''}${problem.replace(/\s*\n\s*/g, ' ')}`);
    this.file = file;
    this.field = field;
    this.problem = problem;
  }
}
