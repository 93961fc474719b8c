/**
 * The receipt processor (functions/receipt-processor) through its makeHandler, with in-memory
 * ports: what a batch of receipts does to positions, receipts, anomalies and the business
 * metrics, and which messages SQS is told to show again.
 */
import { describe, expect, it } from 'vitest';
import { option, position } from '../../fixtures/positions';
import {
  InMemoryPositions,
  InMemoryReceipts,
  clockAt,
  context,
  logger,
  receiptFor,
  setHandlerSettings,
  sqsEvent,
  sqsRecord,
} from './fakes';

setHandlerSettings();
const { makeHandler } = await import('../../../functions/receipt-processor/handler');

const NOW = '2026-12-01T10:00:00.000Z';

function processor(...positions: Parameters<typeof position>[0][]) {
  const store = new InMemoryPositions(...positions.map((p) => position({ status: 'VALID', ...p })));
  const receipts = new InMemoryReceipts(store);
  const counted: string[] = [];
  const visibility: Array<[string, number]> = [];
  let ids = 0;
  const handler = makeHandler({
    logger,
    maxReceiveCount: 5,
    setVisibility: async (receiptHandle, seconds) => {
      visibility.push([receiptHandle, seconds]);
    },
    positions: store,
    receipts,
    clock: clockAt(NOW),
    newId: () => `event-${++ids}`,
    count: (metric) => counted.push(metric),
  });
  const run = async (...bodies: string[]) => {
    const records = bodies.map((b) => sqsRecord(b));
    const result = await handler(sqsEvent(...records), context);
    return { records, failed: result.batchItemFailures.map((f) => f.itemIdentifier) };
  };
  return { run, store, receipts, counted, visibility };
}

describe('receipt processor (makeHandler)', () => {
  it('applies a receipt: the option paid, the position PAID, the event written, ReceiptApplied counted', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const { failed } = await p.run(JSON.stringify(receiptFor(o, { receiptId: 'r-applied' })));
    expect(failed).toEqual([]);
    const paid = p.store.get('TARI-2026-0001')!;
    expect(paid.status).toBe('PAID');
    expect(paid.version).toBe(2);
    expect(paid.paymentOptions[0]).toMatchObject({ status: 'PO_PAID', payment: { receiptId: 'r-applied' } });
    expect(p.receipts.stored.get('r-applied')).toMatchObject({ state: 'APPLIED', iupd: 'TARI-2026-0001', recordedAt: NOW });
    expect(p.receipts.events).toMatchObject([{ eventType: 'payment.received', receiptId: 'r-applied', status: 'PAID', previousStatus: 'VALID' }]);
    expect(p.counted).toEqual(['ReceiptApplied']);
  });

  it('a duplicate (the same receipt again, also twice in one batch) changes nothing and is no failure', async () => {
    const p = processor({});
    const body = JSON.stringify(receiptFor(p.store.get('TARI-2026-0001')!.paymentOptions[0]!, { receiptId: 'r-twice' }));
    expect((await p.run(body, body)).failed).toEqual([]);
    expect((await p.run(body)).failed).toEqual([]);
    expect(p.store.get('TARI-2026-0001')!.version).toBe(2);
    expect(p.receipts.events).toHaveLength(1);
    expect(p.counted).toEqual(['ReceiptApplied']);
  });

  it('an anomaly is kept and counted once (ReceiptAnomaly), even when the receipt comes again', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const wrong = JSON.stringify(receiptFor(o, { receiptId: 'r-wrong', paymentAmount: o.amount + 1 }));
    expect((await p.run(wrong)).failed).toEqual([]);
    expect((await p.run(wrong)).failed).toEqual([]);
    expect([...p.receipts.anomalies.values()]).toMatchObject([{ receiptId: 'r-wrong', kind: 'AMOUNT_MISMATCH', iupd: 'TARI-2026-0001' }]);
    expect(p.store.get('TARI-2026-0001')!.status).toBe('VALID');
    expect(p.counted).toEqual(['ReceiptAnomaly']);
  });

  it('an outcome-KO receipt is recorded, nothing is paid or counted', async () => {
    const p = processor({});
    const ko = JSON.stringify(receiptFor(p.store.get('TARI-2026-0001')!.paymentOptions[0]!, { receiptId: 'r-ko', outcome: 'KO' }));
    expect((await p.run(ko)).failed).toEqual([]);
    expect(p.receipts.stored.get('r-ko')).toMatchObject({ state: 'KO' });
    expect(p.store.get('TARI-2026-0001')!.status).toBe('VALID');
    expect(p.counted).toEqual([]);
  });

  it('reports a malformed message failed (shown again at once, so it reaches the DLQ); the others are applied', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const { records, failed } = await p.run('{not json', JSON.stringify({ ...receiptFor(o), paymentAmount: 'a lot' }), JSON.stringify(receiptFor(o)));
    expect(failed.sort()).toEqual([records[0]!.messageId, records[1]!.messageId].sort());
    expect(p.visibility.sort()).toEqual([
      [records[0]!.receiptHandle, 0],
      [records[1]!.receiptHandle, 0],
    ].sort());
    expect(p.store.get('TARI-2026-0001')!.status).toBe('PAID');
  });

  it('an unexpected error fails that receipt alone (left for redelivery); the rest of the batch is applied', async () => {
    const p = processor({ iupd: 'A', paymentOptions: [option({}, 1n)] }, { iupd: 'B', paymentOptions: [option({}, 2n)] });
    p.receipts.failing.add('r-a');
    const { records, failed } = await p.run(
      JSON.stringify(receiptFor(p.store.get('A')!.paymentOptions[0]!, { receiptId: 'r-a' })),
      JSON.stringify(receiptFor(p.store.get('B')!.paymentOptions[0]!, { receiptId: 'r-b' })),
    );
    expect(failed).toEqual([records[0]!.messageId]);
    // a failure that is no RetryLater keeps the queue's visibility timeout
    expect(p.visibility).toEqual([]);
    expect(p.store.get('A')!.status).toBe('VALID');
    expect(p.store.get('B')!.status).toBe('PAID');
    expect(p.counted).toEqual(['ReceiptApplied']);
  });
});
