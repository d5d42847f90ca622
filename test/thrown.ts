// Small helpers shared by the unit tests.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

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

// Every folder tempDir made for a test file goes when the file's tests are done: npm test leaves
// nothing in the system's temp folder (reports of runs, profiles, fault runs: thousands a day).
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder `<tmpdir>/<prefix>XXXXXX`, removed after the calling test file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes files into a fresh temporary folder (tempDir): `file(name, text)` returns the path. */
export function tempFiles(prefix: string): (name: string, text: string) => string {
  const dir = tempDir(prefix);
  return (name, text) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
}
