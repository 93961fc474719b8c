/**
 * Ends the run with one plain line, `vitest: N passed, N failed, N skipped`, after the default
 * reporter's summary: the form CI's log readers recognise in any language.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      // a file that failed without a failing test (a syntax error, a failing beforeAll whose tests
      // are then skipped) has failed all the same: it counts once
      failed += failedHere > 0 ? failedHere : module.state() === 'failed' ? 1 : 0;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
