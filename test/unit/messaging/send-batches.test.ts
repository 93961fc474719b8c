/**
 * SendMessageBatch's two limits, both: 10 entries and 256 KiB of payload in all. An upload's
 * chunks (up to 200 KB each) were sent 10 at a time and refused whole by the queue (found with
 * 3-installment plans, whose chunks are larger).
 */
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, sendBatches } from '../../../shared/adapters/queue-publisher';

const message = (id: number, bytes: number) => ({ id: String(id), body: 'x'.repeat(bytes) });

describe('sendBatches', () => {
  it('packs small messages ten at a time', () => {
    expect(sendBatches(Array.from({ length: 23 }, (_, i) => message(i, 100))).map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('never puts more than 256 KiB of bodies and attributes in one batch, keeping the order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => message(i, 150_000));
    const batches = sendBatches(messages);
    expect(batches.map((b) => b.length)).toEqual(Array(10).fill(1));
    expect(batches.flat().map((m) => m.id)).toEqual(messages.map((m) => m.id));
    const mixed = sendBatches([message(0, 100_000), message(1, 100_000), message(2, 70_000), message(3, 10)]);
    for (const b of mixed) expect(b.reduce((n, m) => n + m.body.length, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(mixed.map((b) => b.map((m) => m.id))).toEqual([['0', '1'], ['2', '3']]);
  });

  it('a message alone over the limit goes alone (SQS refuses it and it is reported failed)', () => {
    expect(sendBatches([message(0, 10), message(1, 300_000), message(2, 10)]).map((b) => b.map((m) => m.id))).toEqual([['0'], ['1'], ['2']]);
  });
});
