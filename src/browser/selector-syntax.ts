// Whether Playwright can parse a login selector, asked of Playwright's own parser (the one a
// locator uses, CSS with Playwright's extensions, `text=`, `>>` chains ...) when the profile is
// read: a selector it cannot parse failed only in the browser, as an error on every check of the
// run. No browser is launched. The parser is `iso.parseSelector` of playwright-core's bundle, which
// playwright-core exports as `playwright-core/lib/coreBundle` (its isomorphic helpers);
// src/config/config.test.ts fails if an upgrade moves it. Loading the bundle costs a
// process about 0.4 CPU-seconds, measured: it is required only for a profile that gives selectors
// (the form driver), never for the default run.

import { createRequire } from 'node:module';

type Parser = (selector: string) => unknown;

let parser: Parser | undefined;

/** Playwright's selector parser; undefined when this Playwright has none where it is looked for. */
export function playwrightSelectorParser(): Parser | undefined {
  if (parser) return parser;
  // Resolved from playwright (the dependency), whose own dependency playwright-core is.
  const fromPlaywright = createRequire(createRequire(import.meta.url).resolve('playwright'));
  const iso = (fromPlaywright('playwright-core/lib/coreBundle') as { iso?: { parseSelector?: Parser } }).iso;
  return (parser = typeof iso?.parseSelector === 'function' ? iso.parseSelector : undefined);
}

/** Why Playwright cannot parse `selector` (its own message, one line), or undefined when it can. */
export function selectorProblem(selector: string): string | undefined {
  const parse = playwrightSelectorParser();
  if (!parse) return undefined;
  try {
    parse(selector);
    return undefined;
  } catch (err) {
    return `not a selector Playwright can parse: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
}
