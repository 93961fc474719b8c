/**
 * The dead-letter queues, as an operator sees them: every queue of the catalog has one (`<id>-dlq`)
 * where SQS parks a message its consumer failed maxReceiveCount times. Whatever is there was
 * accepted and is money or a message at risk: it is listed, shown and redriven to its queue once
 * the cause is fixed (`npm run admin -- dlq …`, shared/adapters/dead-letter-queues.ts).
 */

/** One parked message, read without taking it (a zero visibility timeout). */
export interface DeadLetterMessage {
  readonly messageId: string;
  /** when it was first sent to its queue (ISO UTC), when known */
  readonly sentAt?: string;
  /** receives so far, the parked ones included */
  readonly receiveCount?: number;
  /** UTF-8 bytes of the body */
  readonly bytes: number;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** An SQS message move task (AWS): the DLQ's messages moved back to their queue by SQS itself. */
export interface MoveTask {
  readonly taskHandle?: string;
  readonly status: string;
  readonly startedAt?: string;
  readonly moved?: number;
  readonly toMove?: number;
  readonly failureReason?: string;
}

export interface DeadLetterSummary {
  /** the catalog's queue id, e.g. `receipts` */
  readonly queue: string;
  /** ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible of the DLQ */
  readonly depth: number;
  /** up to the asked number, each once (a sample when the DLQ holds more) */
  readonly messages: readonly DeadLetterMessage[];
  /** the DLQ's recent move tasks (empty where the queue service has none, e.g. the local emulator) */
  readonly moveTasks: readonly MoveTask[];
}

export type RedriveResult =
  /** SQS moves the messages (StartMessageMoveTask); follow it with `dlq list` */
  | { readonly kind: 'move-task'; readonly taskHandle: string }
  /** moved here one by one (receive → send to the queue → delete from the DLQ) */
  | { readonly kind: 'moved'; readonly moved: number };

export interface DeadLetterQueues {
  /** the DLQ of `queue`: its depth, up to `max` of its messages, its move tasks */
  list(queue: string, max: number): Promise<DeadLetterSummary>;
  /** one message of the DLQ of `queue`, undefined when it is not there (looked at up to `max`) */
  show(queue: string, messageId: string, max: number): Promise<DeadLetterMessage | undefined>;
  /** every message of the DLQ of `queue` back to `queue` */
  redrive(queue: string): Promise<RedriveResult>;
  /**
   * One message of the DLQ of `queue` back to `queue` (looked at up to `max`), if `accept` takes it
   * as received; false when it is not there or not accepted (it then stays in the DLQ).
   */
  redriveMessage(queue: string, messageId: string, max: number, accept?: (message: DeadLetterMessage) => boolean): Promise<boolean>;
}
