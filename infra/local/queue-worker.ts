/**
 * The local SQS event source mapping: long-polls a queue, hands the handler an SQSEvent shaped
 * like Lambda's, and deletes only what succeeded (ReportBatchItemFailures). Failed messages come
 * back after the queue's visibility timeout and the emulator moves them to `<id>-dlq` after
 * maxReceiveCount receives (fauxqs applies the RedrivePolicy itself; the tests prove it).
 */
import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

export interface QueueWorkerOptions {
  functionId: string;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
  sqs: SQSClient;
  invoke: (functionId: string, event: unknown) => Promise<unknown>;
  log: (line: string) => void;
}

export class QueueWorker {
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: QueueWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [this.loop()];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * One poller per queue hands batches to up to maxConcurrency invocations at once, as Lambda's
   * event source mapping does: an idle queue costs one long poll a second, not one per concurrency
   * slot (31 slots, 9 queues: an idle local cloud took ~23 % of a core with a poller per slot).
   * It receives only while a slot is free, so no batch waits for a slot with its visibility running.
   */
  private async loop(): Promise<void> {
    const { log, functionId } = this.options;
    const inFlight = new Set<Promise<void>>();
    const slots = Math.max(1, this.options.maxConcurrency);
    while (this.running) {
      if (inFlight.size >= slots) {
        await Promise.race(inFlight);
        continue;
      }
      try {
        const messages = await this.gather();
        if (messages.length === 0) continue;
        const invocation: Promise<void> = this.process(messages)
          .catch((err) => log(`ERROR queue poller of ${functionId}: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => inFlight.delete(invocation));
        inFlight.add(invocation);
      } catch (err) {
        if (!this.running) break;
        log(`ERROR queue poller of ${functionId}: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await Promise.all(inFlight);
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const received = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return received.Messages ?? [];
  }

  /** A batch: one short long poll, then, for batches larger than SQS's 10 a receive, what is already there. */
  private async gather(): Promise<Message[]> {
    const { batchSize, maxBatchingWindowSeconds } = this.options;
    // a short long-poll keeps stopWorkers() prompt; locally nobody waits for a batching window
    const wait = Math.max(0, Math.min(1, maxBatchingWindowSeconds || 1));
    const messages = await this.receive(batchSize, wait);
    while (messages.length > 0 && messages.length < batchSize && messages.length % 10 === 0) {
      const more = await this.receive(batchSize - messages.length, 0);
      if (more.length === 0) break;
      messages.push(...more);
    }
    return messages;
  }

  private async process(messages: Message[]): Promise<void> {
    const { functionId, log } = this.options;
    const event: SQSEvent = { Records: messages.map((m) => this.toRecord(m)) };
    let failed: Set<string>;
    try {
      const result = (await this.options.invoke(functionId, event)) as SQSBatchResponse | undefined | null;
      failed = failedMessageIds(result, event.Records);
      if (failed.size) log(`${functionId}: ${failed.size} of ${messages.length} message(s) failed, left for redelivery`);
    } catch (err) {
      log(`ERROR ${functionId} failed a batch of ${messages.length}; it will be redelivered: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      return; // delete nothing: the whole batch comes back after the visibility timeout
    }
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      const deleted = await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      for (const failure of deleted.Failed ?? []) log(`ERROR ${functionId}: could not delete a message: ${failure.Message ?? failure.Code}`);
    }
  }

  private toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    const body = message.Body ?? '';
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body,
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? '000000000000',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(attributes.AWSTraceHeader ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
        ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
        ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
        ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
      },
      messageAttributes: lambdaMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? createHash('md5').update(body).digest('hex'),
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    } as SQSRecord;
  }
}

/** Lambda's shape: camelCase keys, binary values base64, empty list fields present. */
export function lambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

/**
 * The ReportBatchItemFailures contract: listed ids fail; an empty or absent list means success;
 * an id that is not in the batch (or a malformed entry) makes Lambda treat the whole batch as failed.
 */
export function failedMessageIds(result: SQSBatchResponse | undefined | null, records: SQSRecord[]): Set<string> {
  const all = new Set(records.map((r) => r.messageId));
  const failures = result && typeof result === 'object' ? result.batchItemFailures : undefined;
  if (!Array.isArray(failures)) return new Set();
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}
