/**
 * The one queue consumer on its own: partial batch failures, per-message retry delays, malformed
 * bodies, and invocations that overlap in one process (as in the local cloud).
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { consumeQueue, RetryLater } from '../../../shared/messaging/sqs-consumer';
import { createLogger } from '../../../shared/observability/logger';

const record = (id: string, body: unknown, receives = 1): SQSRecord =>
  ({
    messageId: id,
    receiptHandle: `handle-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receives) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-south-1:000000000000:q',
    awsRegion: 'eu-south-1',
  }) as unknown as SQSRecord;
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const context = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function consumer(handle: (n: number, meta: { attempt: number; lastAttempt: boolean }) => Promise<void>) {
  const visibility: Array<[string, number]> = [];
  const run = consumeQueue(
    { logger: createLogger(), maxReceiveCount: 3, setVisibility: async (h, s) => void visibility.push([h, s]) },
    { what: 'test message', schema: z.object({ n: z.number() }), handle: async ({ body, attempt, lastAttempt }) => handle(body.n, { attempt, lastAttempt }) },
  );
  return { run: (e: SQSEvent) => run(e, context), visibility };
}

describe('consumeQueue', () => {
  it('reports only the messages that failed', async () => {
    const c = consumer(async (n) => {
      if (n === 2) throw new Error('boom');
    });
    expect(await c.run(batch(record('a', { n: 1 }), record('b', { n: 2 }), record('c', { n: 3 })))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'b' }],
    });
  });

  it('sets a RetryLater delay on that message alone, and shows a malformed one again at once', async () => {
    const c = consumer(async (n) => {
      if (n === 1) throw new RetryLater(42.4, 'rate limited');
    });
    const result = await c.run(batch(record('a', { n: 1 }), record('b', 'not json'), record('c', { n: 'x' }), record('d', { n: 4 })));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b', 'c']);
    expect(c.visibility.sort()).toEqual([
      ['handle-a', 42],
      ['handle-b', 0],
      ['handle-c', 0],
    ]);
  });

  it('tells the handler the attempt and whether it is the last before the DLQ', async () => {
    const seen: Array<{ attempt: number; lastAttempt: boolean }> = [];
    const c = consumer(async (_n, meta) => void seen.push(meta));
    await c.run(batch(record('a', { n: 1 }, 1)));
    await c.run(batch(record('b', { n: 1 }, 3)));
    expect(seen).toEqual([
      { attempt: 1, lastAttempt: false },
      { attempt: 3, lastAttempt: true },
    ]);
  });

  it('keeps overlapping invocations apart: one batch never reports the other one\'s failures', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const c = consumer(async (n) => {
      if (n === 1) {
        await sleep(10);
        throw new Error('first batch fails');
      }
      await sleep(30);
    });
    const first = c.run(batch(record('a1', { n: 1 })));
    await sleep(3);
    const second = c.run(batch(record('b1', { n: 2 }), record('b2', { n: 3 })));
    expect(await first).toEqual({ batchItemFailures: [{ itemIdentifier: 'a1' }] });
    expect(await second).toEqual({ batchItemFailures: [] });
  });
});
