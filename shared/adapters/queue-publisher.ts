/**
 * Sends messages to SQS in batches of 10 and reports, per message, whether it was accepted, so a
 * caller can retry exactly the ones that failed (the rest must not be sent twice needlessly).
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutgoingMessage, QueuePublisher } from '../use-cases/ports';

export class SqsQueuePublisher implements QueuePublisher {
  constructor(private readonly sqs: SQSClient) {}

  async send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    const failed: string[] = [];
    for (const chunk of sendBatches(messages)) {
      // SQS batch entry ids allow only [A-Za-z0-9_-]{1,80}: map them by position.
      const entries = chunk.map((m, j) => ({
        Id: `m${j}`,
        MessageBody: m.body,
        DelaySeconds: m.delaySeconds,
        MessageAttributes: Object.fromEntries(
          Object.entries(m.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }));
      try {
        const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        for (const f of result.Failed ?? []) {
          const index = Number((f.Id ?? '').slice(1));
          const message = chunk[index];
          if (message) failed.push(message.id);
        }
      } catch {
        failed.push(...chunk.map((m) => m.id));
      }
    }
    return failed;
  }
}

/**
 * SendMessageBatch takes at most 10 entries and 256 KiB of payload in all (the sum of the bodies
 * and attributes, not each): messages are packed in order under both limits (a message alone over
 * the limit goes alone, and SQS refuses it: reported failed, never lost silently).
 */
export const MAX_BATCH_BYTES = 256 * 1024;
export function sendBatches<T extends OutgoingMessage>(messages: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(m.body) + Object.entries(m.attributes ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 6, 0);
    if (current.length > 0 && (current.length === 10 || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** SQS ChangeMessageVisibility on one queue: when a received message is seen again. */
export function sqsVisibilityTimer(sqs: SQSClient, queueUrl: string): (receiptHandle: string, seconds: number) => Promise<void> {
  return async (receiptHandle, seconds) => {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  };
}

/**
 * A publisher that merges the sends to one queue made in the same turn of the event loop (the
 * records of a batch handled side by side) into one call of `publisher`, so they still share
 * SendMessageBatch requests of 10; each caller gets back the ids of ITS messages not accepted.
 */
export function coalescingPublisher(publisher: QueuePublisher): QueuePublisher {
  interface Waiting {
    readonly messages: readonly OutgoingMessage[];
    readonly resolve: (failed: string[]) => void;
    readonly reject: (error: unknown) => void;
  }
  const pending = new Map<string, Waiting[]>();
  const flush = async (queueUrl: string): Promise<void> => {
    const calls = pending.get(queueUrl) ?? [];
    pending.delete(queueUrl);
    // ids are unique within one call only: prefix them with the call's position
    const merged = calls.flatMap((call, i) => call.messages.map((m) => ({ ...m, id: `${i}/${m.id}` })));
    try {
      const failed = new Set(await publisher.send(queueUrl, merged));
      calls.forEach((call, i) => call.resolve(call.messages.filter((m) => failed.has(`${i}/${m.id}`)).map((m) => m.id)));
    } catch (error) {
      for (const call of calls) call.reject(error);
    }
  };
  return {
    send(queueUrl, messages) {
      if (messages.length === 0) return Promise.resolve([]);
      return new Promise<string[]>((resolve, reject) => {
        let calls = pending.get(queueUrl);
        if (!calls) {
          calls = [];
          pending.set(queueUrl, calls);
          setImmediate(() => void flush(queueUrl));
        }
        calls.push({ messages, resolve, reject });
      });
    },
  };
}
