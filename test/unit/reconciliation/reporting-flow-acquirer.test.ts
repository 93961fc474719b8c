/**
 * The reporting-flows queue consumer with fakes: FdR down → the message comes back later with
 * exponential backoff (ChangeMessageVisibility) and the failure is recorded on the tenant;
 * FdR refusing (4xx) → not retried; a payment.received event → the waiting lines are looked up.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/observability/logger';
import { FdrUnavailable, type AcquisitionState, type ReportingFlowStore } from '../../../shared/use-cases/reconciliation/ports';
import { context } from '../io/fakes';
import { sqsEvent, sqsRecord } from '../receipts/fakes';

process.env['TABLE_NAME_MAIN'] ??= 'unit-test-table';
process.env['QUEUE_URL_REPORTING_FLOWS'] ??= 'http://sqs.invalid/000000000000/reporting-flows';
const { makeHandler } = await import('../../../functions/reporting-flow-acquirer/handler');

function deps(fail: FdrUnavailable | undefined) {
  const states: AcquisitionState[] = [];
  const visibility: number[] = [];
  const claims: string[] = [];
  const store = {
    acquisition: async () => states[states.length - 1],
    saveAcquisition: async (_: string, s: AcquisitionState) => void states.push(s),
    claimsOf: async (ofc: string, iuv: string, receiptId: string) => {
      claims.push(`${ofc}/${iuv}/${receiptId}`);
      return [];
    },
  } as unknown as ReportingFlowStore;
  const handler = makeHandler({
    logger: createLogger(),
    maxReceiveCount: 8,
    setVisibility: async (_handle, seconds) => void visibility.push(seconds),
    store,
    treasury: {} as never,
    clock: () => new Date('2026-12-02T10:00:00Z'),
    fdr: {
      listFlows: async () => {
        if (fail) throw fail;
        return { flows: [], totPage: 1 };
      },
      getFlow: async () => {
        throw new Error('not called');
      },
      getPayments: async () => {
        throw new Error('not called');
      },
    },
    keyOf: async () => 'key',
    count: () => {},
  });
  return { handler, states, visibility, claims };
}

const sync = (attempt: number) => sqsRecord(JSON.stringify({ kind: 'fdr-sync', organizationFiscalCode: '80001234568', requestedAt: '2026-12-02T10:00:00Z', requestedBy: 'schedule' }), attempt);

describe('reporting-flow-acquirer', () => {
  it('backs off exponentially while FdR is down, and records the failure', async () => {
    const { handler, states, visibility } = deps(new FdrUnavailable('FdR /fdrs: HTTP 503', true, 503));
    const first = await handler(sqsEvent(sync(1)), context);
    expect(first.batchItemFailures).toHaveLength(1);
    await handler(sqsEvent(sync(6)), context);
    expect(visibility[0]).toBeGreaterThanOrEqual(5);
    expect(visibility[0]).toBeLessThanOrEqual(30);
    expect(visibility[1]).toBeLessThanOrEqual(960);
    expect(states.at(-1)).toMatchObject({ consecutiveFailures: 2, lastError: 'FdR /fdrs: HTTP 503' });
    // publishedGt stayed inside the one-month window: nothing acquired, no watermark invented
    expect(states.at(-1)?.watermark).toBeUndefined();
  });

  it('does not retry a refusal (a wrong key: 401), and succeeds when FdR answers', async () => {
    const refused = deps(new FdrUnavailable('FdR /fdrs: HTTP 401', false, 401));
    expect((await refused.handler(sqsEvent(sync(1)), context)).batchItemFailures).toEqual([]);
    expect(refused.visibility).toEqual([]);
    const ok = deps(undefined);
    expect((await ok.handler(sqsEvent(sync(1)), context)).batchItemFailures).toEqual([]);
    expect(ok.states.at(-1)).toMatchObject({ consecutiveFailures: 0, lastRunAt: '2026-12-02T10:00:00.000Z' });
  });

  it('a payment.received event looks up the lines waiting for that receipt', async () => {
    const { handler, claims } = deps(undefined);
    const event = {
      eventId: '0b0f9a52-3c1e-4c8e-9f43-0d6a7b5d2a11', eventType: 'payment.received', occurredAt: '2026-12-02T10:00:00.000Z', organizationFiscalCode: '80001234568',
      iupd: 'P1', nav: '312000000000000119', iuv: '12000000000000119', receiptId: 'r1', amount: 100, status: 'PAID', previousStatus: 'VALID', version: 2,
    };
    expect((await handler(sqsEvent(sqsRecord(JSON.stringify(event))), context)).batchItemFailures).toEqual([]);
    expect(claims).toEqual(['80001234568/12000000000000119/r1']);
  });
});
