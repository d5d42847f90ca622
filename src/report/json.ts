// results.json: what the CLI reads back for its exit code and what other tools consume.

import type { CheckResult } from '../model/check.ts';
import { byPosition, summarize, type RunMeta, type Summary } from './meta.ts';

export type { RunMeta } from './meta.ts';

export interface JsonReport {
  meta: RunMeta;
  summary: Summary;
  results: CheckResult[];
}

export function toJson(results: readonly CheckResult[], meta: RunMeta): JsonReport {
  const sorted = [...results].sort(byPosition);
  return { meta, summary: summarize(sorted), results: sorted };
}
