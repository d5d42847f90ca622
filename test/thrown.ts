// Small helpers shared by the unit tests.

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The error of `type` that `fn` throws; any other outcome fails the test. */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

/** Writes files into a fresh temporary folder: `file(name, text)` returns the path. */
export function tempFiles(prefix: string): (name: string, text: string) => string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return (name, text) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
}
