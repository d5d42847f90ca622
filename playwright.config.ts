// Suites run under Playwright Test, started by `npm run conformance` (src/cli/main.ts), which
// starts the provider and the relying parties and passes them in through HARNESS_* variables.
// Workers launch their browser themselves when a check needs one (suites/harness.ts).

import { defineConfig } from 'playwright/test';

const reportDir = process.env.HARNESS_REPORT_DIR ?? 'reports/adhoc';
const workers = Number(process.env.HARNESS_WORKERS ?? 2);

export default defineConfig({
  testDir: 'suites',
  testMatch: '**/*.spec.ts',
  fullyParallel: true,
  workers,
  retries: 0,
  timeout: 30_000,
  outputDir: `${reportDir}/test-results`,
  reporter: [
    ['./src/report/reporter.ts', { outputDir: reportDir }],
    ['html', { outputFolder: `${reportDir}/playwright`, open: 'never' }],
  ],
  use: {
    trace: 'off',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
});
