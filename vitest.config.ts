import { defineConfig } from 'vitest/config';

// Handlers log through Powertools; a test run stays quiet unless TEST_LOGS=1 (a test that reads
// the logs sets its own level).
const quiet = process.env['TEST_LOGS'] !== '1';

const include = ['test/**/*.test.ts'];
// needs a copy of pagoPA's XSD, which CI has not: `npm run test:xsd` (see the file)
const exclude = ['test/conformance/**', '**/node_modules/**'];
// The CDK tests of test/infra synthesise the stacks in memory: the first synth in a fresh worker
// takes 10-20 s more than the next ones (loading aws-cdk-lib, and the first run of the WASM
// CloudFormation validator every synth goes through), and several files synthesise the same app
// (helpers.ts memoizes synth per catalog and context). So they run in a project whose workers are
// reused from file to file without isolation: both are paid once per worker, not once per file.
// Not handlers-start-with-their-grants.test.ts, which imports every handler anew with the
// environment of its grants: it stays isolated with the rest.
const sharedInfra = 'test/infra/**/!(handlers-start-with-their-grants).test.ts';

export default defineConfig({
  test: {
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
    // Both projects inherit all of the above (`extends`; include and exclude would be concatenated,
    // so only the projects set them). Files are queued project by project in name order: the CDK
    // ones first, one after another in the reused workers, then every other file, as before.
    projects: [
      { extends: true, test: { name: 'cdk', include: [sharedInfra], exclude, isolate: false } },
      { extends: true, test: { name: 'default', include, exclude: [...exclude, sharedInfra] } },
    ],
  },
});
