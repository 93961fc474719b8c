/**
 * The receipt processor (functions/receipt-processor) through its makeHandler, with in-memory
 * ports: what a batch of receipts does to positions, receipts, anomalies and the business
 * metrics, and which messages SQS is told to show again.
 */
import { describe, expect, it } from 'vitest';
import { option, position } from '../../fixtures/positions';
import {
  ESEMPIO,
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
  // the logger, with its ERROR lines kept for the test (and nothing printed)
  const errors: Array<{ message: string; attributes: Record<string, unknown> }> = [];
  const spy = new Proxy(logger, {
    get(target, property) {
      if (property === 'error') return (message: string, attributes: Record<string, unknown> = {}) => void errors.push({ message, attributes });
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const handler = makeHandler({
    logger: spy,
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
  const run = async (...bodies: string[]) => runAt(1, ...bodies);
  /** the bodies on their `receiveCount`-th receive (5 is the last before the DLQ) */
  const runAt = async (receiveCount: number, ...bodies: string[]) => {
    const records = bodies.map((b) => sqsRecord(b, receiveCount));
    const result = await handler(sqsEvent(...records), context);
    return { records, failed: result.batchItemFailures.map((f) => f.itemIdentifier) };
  };
  return { run, runAt, store, receipts, counted, visibility, errors };
}

describe('receipt processor (makeHandler)', () => {
  it('applies a receipt: the option paid, the position PAID, the event written, ReceiptApplied counted', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const { failed } = await p.run(JSON.stringify(receiptFor(o, { receiptId: 'r-applied' })));
    expect(p.errors).toEqual([]);
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

  it('a receipt that breaks the contract is kept as an UNPROCESSABLE anomaly on its last receive, once, before the DLQ', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const body = JSON.stringify({ ...receiptFor(o, { receiptId: 'r-long' }), receiptId: 'r'.repeat(1000) });
    for (const receive of [1, 2, 3, 4]) {
      const { records, failed } = await p.runAt(receive, body);
      expect(failed).toEqual([records[0]!.messageId]);
    }
    // shown again at once each time, nothing kept before the last receive
    expect(p.visibility.map(([, seconds]) => seconds)).toEqual([0, 0, 0, 0]);
    expect(p.receipts.anomalies.size).toBe(0);
    const last = await p.runAt(5, body);
    expect(last.failed).toEqual([last.records[0]!.messageId]);
    const [anomaly] = [...p.receipts.anomalies.values()];
    expect(anomaly).toMatchObject({
      organizationFiscalCode: ESEMPIO.fiscalCode,
      kind: 'UNPROCESSABLE',
      iuv: o.iuv,
      nav: o.nav,
      receiptId: '',
      messageId: last.records[0]!.messageId,
      received: body,
      recordedAt: NOW,
    });
    expect(anomaly!.detail).toContain('receiptId: must be at most 256 bytes');
    expect(anomaly!.receipt).toBeUndefined();
    expect(p.counted).toEqual(['ReceiptAnomaly']);
    expect(p.errors.every((e) => e.message === 'receipt breaks the queue contract')).toBe(true);
    expect(p.store.get('TARI-2026-0001')!.status).toBe('VALID');
  });

  it('a message that does not name its creditor is logged at ERROR with its message id, kept by nothing but the DLQ', async () => {
    const p = processor({});
    const { records, failed } = await p.runAt(5, JSON.stringify({ receiptId: 'r-1', outcome: 'OK' }));
    expect(failed).toEqual([records[0]!.messageId]);
    expect(p.receipts.anomalies.size).toBe(0);
    expect(p.errors).toMatchObject([{ message: 'malformed receipt', attributes: { messageId: records[0]!.messageId, attempt: 5 } }]);
    expect(p.counted).toEqual([]);
  });

  it('a receipt whose processing fails on every receive is kept as UNPROCESSABLE with the receipt, and applied when redriven after a fix', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const body = JSON.stringify(receiptFor(o, { receiptId: 'r-stuck' }));
    p.receipts.failing.add('r-stuck');
    expect((await p.runAt(4, body)).failed).toHaveLength(1);
    expect(p.receipts.anomalies.size).toBe(0);
    const last = await p.runAt(5, body);
    expect(last.failed).toHaveLength(1);
    expect([...p.receipts.anomalies.values()]).toMatchObject([
      { kind: 'UNPROCESSABLE', receiptId: 'r-stuck', iuv: o.iuv, messageId: last.records[0]!.messageId, detail: 'processing failed on every receive: the store failed on r-stuck', receipt: { receiptId: 'r-stuck' } },
    ]);
    expect([...p.receipts.anomalies.values()][0]!.received).toBeUndefined();
    // the operator fixes the cause and redrives the DLQ: the same receipt, a new message, applied
    p.receipts.failing.delete('r-stuck');
    expect((await p.run(body)).failed).toEqual([]);
    expect(p.store.get('TARI-2026-0001')!.status).toBe('PAID');
    expect(p.counted).toEqual(['ReceiptAnomaly', 'ReceiptApplied']);
  });

  it('a receipt dated before the position existed is kept as IMPLAUSIBLE_PAYMENT_DATE, nothing paid', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    expect((await p.run(JSON.stringify(receiptFor(o, { receiptId: 'r-1999', paymentDateTime: '1999-06-01T10:00:00' })))).failed).toEqual([]);
    expect([...p.receipts.anomalies.values()]).toMatchObject([{ kind: 'IMPLAUSIBLE_PAYMENT_DATE', receiptId: 'r-1999' }]);
    expect(p.store.get('TARI-2026-0001')!.status).toBe('VALID');
    expect(p.counted).toEqual(['ReceiptAnomaly']);
  });

  it('a second, different receipt for a paid option is kept once as ALREADY_PAID, however often the node re-sends it', async () => {
    const p = processor({});
    const o = p.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    await p.run(JSON.stringify(receiptFor(o, { receiptId: 'r-first' })));
    const second = JSON.stringify(receiptFor(o, { receiptId: 'r-second' }));
    await p.run(second, second);
    await p.run(second);
    expect([...p.receipts.anomalies.values()]).toMatchObject([{ kind: 'ALREADY_PAID', receiptId: 'r-second', detail: 'the option was paid by receipt r-first' }]);
    expect(p.counted).toEqual(['ReceiptApplied', 'ReceiptAnomaly']);
  });
});
