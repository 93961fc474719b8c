/**
 * The one way a queue-fed function consumes its batch, on Powertools' batch utility
 * (`BatchProcessor` + `processPartialResponse`, made for SQS partial batch responses):
 *
 * - every message body is parsed against its contract (never trust a queue message); one that
 *   is not JSON or breaks the contract is logged and made visible again at once, so it reaches
 *   the queue's DLQ after its maxReceiveCount quick receives — kept for an operator, never dropped;
 * - a message whose handling throws is reported failed alone (ReportBatchItemFailures): SQS
 *   shows it again after the queue's visibility timeout, the others of the batch are done;
 * - a handler that wants the message back later throws `RetryLater(seconds)`: the message's
 *   visibility is set to that delay (SQS ChangeMessageVisibility), so backoff is per message.
 *
 * Records run side by side unless the consumer asks for one at a time (`inParallel: false`).
 * The handler is instrumented like every Lambda of the layer (shared/observability/lambda.ts).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { parseMessage } from '../../events/parse-message';
import { instrument } from '../observability/lambda';

/** Thrown by a message handler: "not now, show me this message again in `delaySeconds`". */
export class RetryLater extends Error {
  constructor(
    readonly delaySeconds: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'RetryLater';
  }
}

export interface QueueMessage<T> {
  readonly body: T;
  /** the body exactly as queued (e.g. to forward or sign the same bytes) */
  readonly raw: string;
  readonly messageId: string;
  /** 1 on the first receive (SQS ApproximateReceiveCount) */
  readonly attempt: number;
  /** this receive is the last one before SQS moves the message to the DLQ */
  readonly lastAttempt: boolean;
}

/** SQS ChangeMessageVisibility for one received message of this queue. */
export type VisibilityTimer = (receiptHandle: string, seconds: number) => Promise<void>;

export interface QueueConsumerDeps {
  readonly logger: Logger;
  /** the queue's maxReceiveCount (its redrive policy, from the catalog) */
  readonly maxReceiveCount: number;
  readonly setVisibility: VisibilityTimer;
}

export interface QueueConsumer<S extends z.ZodType> {
  /** what the queue carries, for log lines ('receipt', 'notice-render message', …) */
  readonly what: string;
  readonly schema: S;
  readonly handle: (message: QueueMessage<z.infer<S>>) => Promise<void>;
  /** default true; false handles the records one after the other, in order */
  readonly inParallel?: boolean;
}

export function consumeQueue<S extends z.ZodType>(deps: QueueConsumerDeps, consumer: QueueConsumer<S>) {
  const { logger } = deps;
  const later = async (record: SQSRecord, seconds: number): Promise<void> => {
    try {
      await deps.setVisibility(record.receiptHandle, seconds);
    } catch (error) {
      logger.warn('could not set the retry delay; the queue visibility timeout applies', {
        messageId: record.messageId,
        error: error as Error,
      });
    }
  };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const attempt = Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1);
    const parsed = parseMessage(consumer.schema, record.body);
    if (!parsed.success) {
      logger.error(`malformed ${consumer.what}`, {
        messageId: record.messageId,
        attempt,
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      await later(record, 0);
      throw new Error(`malformed ${consumer.what}`);
    }
    try {
      await consumer.handle({
        body: parsed.data as z.infer<S>,
        raw: record.body,
        messageId: record.messageId,
        attempt,
        lastAttempt: attempt >= deps.maxReceiveCount,
      });
    } catch (error) {
      if (error instanceof RetryLater) {
        await later(record, Math.max(0, Math.min(43_200, Math.round(error.delaySeconds))));
      } else {
        logger.error(`${consumer.what} not processed; left for redelivery`, { messageId: record.messageId, attempt, error: error as Error });
      }
      throw error;
    }
  };

  return instrument(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      // a processor per invocation: it keeps the batch's state, and invocations may overlap in
      // one process (the local cloud runs every consumer in one Node process)
      processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: consumer.inParallel ?? true,
        // a batch that fails whole is reported like any other: SQS retries each message on its own
        throwOnFullBatchFailure: false,
      }),
  );
}
