import { defineConfig } from 'vitest/config';

/**
 * `npm run test:contract`: the official GPD contract (test/contract, written from
 * pagopa-debt-position's openapi_external_v1/v2). It is the target of the GPD drop-in work and
 * is not yet part of `npm test`: the README's GPD compatibility section says how many of its
 * cases pass today and which differences remain.
 */
export default defineConfig({
  test: {
    include: ['test/contract/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./test/support/system-tools.ts'],
    env: process.env['TEST_LOGS'] === '1' ? {} : { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
