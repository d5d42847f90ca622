// The suites load in Playwright's runner and in every worker, on the way to the first check. They
// take the profile and the scenarios from the CLI (src/session/run-inputs.ts) and must not load
// the YAML reader, the validator or the configuration importer again: 0.6 s to the first check on
// 2 cores, measured. Nor do they import the HTML parser (cheerio, about 0.15 s of CPU to load): it is
// required when a page is first parsed (src/protocol/html.ts), which the runner, listing the
// checks, never does. A static import that brings one back fails here, naming the chain.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
// Value imports and re-exports; `import type` is erased and loads nothing.
const IMPORT = /^\s*(?:import\s*['"]([^'"]+)['"]|(?:import|export)\s+(?!type\s)[^'"`;]*?\bfrom\s*['"]([^'"]+)['"])/gm;
// A package is kept out with its subpaths (`cheerio/slim`).
const KEPT_OUT = ['zod', 'yaml', 'src/config/profile.ts', 'src/config/authelia.ts', 'src/scenarios/schema.ts', 'cheerio', 'parse5', 'htmlparser2'];

/** Every module reachable from `roots` by static value imports, each with the chain that reaches it. */
function reachable(roots: string[]): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  const visit = (file: string, chain: string[]) => {
    const text = readFileSync(file, 'utf8');
    for (const [, sideEffect, from] of text.matchAll(IMPORT)) {
      const spec = (sideEffect ?? from)!;
      const target = spec.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(file), spec)) : spec;
      if (chains.has(target)) continue;
      chains.set(target, [...chain, target]);
      if (spec.startsWith('.')) visit(path.join(ROOT, target), [...chain, target]);
    }
  };
  for (const root of roots) visit(path.join(ROOT, root), [root]);
  return chains;
}

describe('what the suites load', () => {
  it('neither the YAML reader, the validator, the configuration importer nor the HTML parser', () => {
    const specs = readdirSync(path.join(ROOT, 'suites')).filter((f) => f.endsWith('.spec.ts')).map((f) => `suites/${f}`);
    const chains = reachable(specs);
    // The walk reaches the modules that take the inputs and parse pages, so it would see a parser.
    expect(chains.has('src/session/run-inputs.ts')).toBe(true);
    expect(chains.has('src/protocol/html.ts')).toBe(true);
    const kept = (spec: string) => KEPT_OUT.some((m) => spec === m || spec.startsWith(`${m}/`));
    expect([...chains.keys()].filter(kept).map((m) => chains.get(m)!.join(' -> '))).toEqual([]);
  });
});
