import { defineConfig } from 'vitest/config';

// Handlers log through Powertools; a test run stays quiet unless TEST_LOGS=1 (a test that reads
// the logs sets its own level).
const quiet = process.env['TEST_LOGS'] !== '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // needs a copy of pagoPA's XSD, which CI has not: `npm run test:xsd` (see the file)
    exclude: ['test/conformance/**', '**/node_modules/**'],
    environment: 'node',
    globalSetup: ['./test/support/system-tools.ts'],
    // no EMF metric lines on stdout either (a test that reads them turns them on itself)
    env: quiet ? { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } : {},
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration and e2e suites each start their own local cloud on random ports;
    // two workers keep the 2-core machine busy without starving DynamoDB Local (Java).
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
