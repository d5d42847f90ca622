// The HTML parser (cheerio), required when a page is first parsed instead of imported: its entry
// point loads parse5, htmlparser2, css-select and an encoding sniffer (with iconv-lite), about
// 0.15 s of CPU on Node 24 here beyond undici, which the suites load anyway, in every process that
// imports it. Playwright's runner imports the suites only to list the checks, and never parses a
// page.

import { createRequire } from 'node:module';
import type { CheerioAPI } from 'cheerio';

let cheerio: typeof import('cheerio') | undefined;

/** `html` parsed (cheerio's `load`, parse5 underneath, as a browser parses it). */
export function parseHtml(html: string): CheerioAPI {
  cheerio ??= createRequire(import.meta.url)('cheerio') as typeof import('cheerio');
  return cheerio.load(html);
}
