// Writes the three report files. Everything passes through the redactor first, and the final
// text once more: the second pass is cheap insurance against a secret that reached a string
// through formatting (messages built from evidence, pretty-printed bodies).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckResult } from '../model/check.ts';
import type { RunMeta } from './meta.ts';
import type { Redactor } from './redact.ts';
import { toJUnit } from './junit.ts';
import { toJson } from './json.ts';
import { toHtml } from './html.ts';

export { failingCount } from './meta.ts';

export interface ReportPaths {
  junit: string;
  json: string;
  html: string;
}

export function writeReports(dir: string, results: readonly CheckResult[], meta: RunMeta, redactor: Redactor): ReportPaths {
  const safeResults = redactor.value([...results]);
  const safeMeta = redactor.value(meta);
  mkdirSync(dir, { recursive: true });
  const paths: ReportPaths = {
    junit: path.join(dir, 'junit.xml'),
    json: path.join(dir, 'results.json'),
    html: path.join(dir, 'summary.html'),
  };
  writeFileSync(paths.junit, redactor.text(toJUnit(safeResults, safeMeta)));
  writeFileSync(paths.json, `${redactor.text(JSON.stringify(toJson(safeResults, safeMeta), null, 2))}\n`);
  writeFileSync(paths.html, redactor.text(toHtml(safeResults, safeMeta)));
  return paths;
}
