/**
 * The edge of the table-stream consumer (DynamoDB Streams → Lambda, ReportBatchItemFailures):
 * the outbox items inserted in the table, in stream order, with their `event` attribute parsed
 * against its contract; the handler is instrumented like every Lambda of the layer
 * (shared/observability/lambda.ts).
 *
 * - An item whose event breaks the contract is a bug upstream that retrying cannot fix, and a
 *   stream cannot park one record aside: it is logged and skipped.
 * - An item holds one event (`event`) or several (`events`, written by a bulk write): each event
 *   is handed over with its item's record id (retried together).
 * - The records are handed over together (the consumer batches its sends across them); the
 *   consumer returns the ids of those that failed. A stream batch is ordered, so only the FIRST
 *   failure is reported: Lambda checkpoints before it and retries from there, records after it
 *   included (they may be sent twice; consumers de-duplicate).
 *
 * Not on Powertools' BatchProcessor (EventType.DynamoDBStreams): it hands records to the handler
 * one by one, so the sends could not be batched across records, it carries on after a failure
 * and reports every failed record (Lambda then resumes from the lowest; the outcome is the same
 * but the work after the failure is wasted).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type * as z from 'zod';
import { instrument } from '../observability/lambda';

export interface OutboxRecord<T> {
  /** the stream record's sequence number: the unit of retry */
  readonly recordId: string;
  readonly event: T;
}

export interface OutboxConsumer<S extends z.ZodType> {
  /** what the items carry, for log lines */
  readonly what: string;
  readonly schema: S;
  /** returns the record ids that failed (any order) */
  readonly handle: (records: ReadonlyArray<OutboxRecord<z.infer<S>>>) => Promise<readonly string[]>;
}

export function consumeOutboxStream<S extends z.ZodType>(deps: { readonly logger: Logger }, consumer: OutboxConsumer<S>) {
  return instrument(async (event: DynamoDBStreamEvent, _context: Context): Promise<DynamoDBBatchResponse> => {
    const records: Array<OutboxRecord<z.infer<S>>> = [];
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
      const recordId = record.dynamodb.SequenceNumber ?? '';
      const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
      // one event per item, or several in `events` (a bulk write): each handed on with the item's record id
      const events: unknown[] = Array.isArray(item['events']) ? item['events'] : [item['event']];
      for (const payload of events) {
        const parsed = consumer.schema.safeParse(payload);
        if (!parsed.success) {
          deps.logger.error(`invalid ${consumer.what}`, { recordId, reason: parsed.error.issues.map((i) => i.message).join('; ') });
          continue;
        }
        records.push({ recordId, event: parsed.data as z.infer<S> });
      }
    }
    const failed = new Set(records.length > 0 ? await consumer.handle(records) : []);
    const first = records.find((r) => failed.has(r.recordId));
    return { batchItemFailures: first ? [{ itemIdentifier: first.recordId }] : [] };
  });
}
