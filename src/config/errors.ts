// A mistake in a user's file: printed as one line naming the file and the field, exit code 2.

import path from 'node:path';

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly field: string;
  readonly problem: string;
  constructor(file: string, field: string, problem: string) {
    super(`${shown(file)}: ${field}: ${problem.replace(/\s*\n\s*/g, ' ')}`);
    this.file = file;
    this.field = field;
    this.problem = problem;
  }
}
