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
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
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
