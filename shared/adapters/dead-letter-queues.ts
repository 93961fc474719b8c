/**
 * The dead-letter queues on SQS (the port in shared/use-cases/dead-letters/ports.ts).
 * - list / show read messages with a zero visibility timeout: nothing is taken, the messages stay
 *   where they are (each read adds one to their receive count, which a DLQ does not act on);
 * - redrive on AWS is an SQS message move task (StartMessageMoveTask from the DLQ back to its
 *   queue; ListMessageMoveTasks follows it). The local emulator (fauxqs) has no move tasks, so with
 *   `moveTasks: false` the messages are moved one batch at a time: received (hidden for a minute),
 *   sent to the queue with their attributes, then deleted from the DLQ. A crash between the send and
 *   the delete can leave a copy behind: the consumers are idempotent, as for any SQS redelivery.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterMessage, DeadLetterQueues, DeadLetterSummary, MoveTask, RedriveResult } from '../use-cases/dead-letters/ports';

export interface QueuePair {
  /** the queue the consumer reads */
  readonly url: string;
  /** its dead-letter queue */
  readonly dlqUrl: string;
}

export interface DeadLetterQueueOptions {
  /** the queue (catalog id) → its URL and its DLQ's URL; throws for a queue that does not exist */
  readonly resolve: (queue: string) => Promise<QueuePair>;
  /** true on AWS: redrive with SQS message move tasks; false where the service has none */
  readonly moveTasks: boolean;
}

/** how many empty or already-seen receives end a sweep of the DLQ */
const QUIET_ROUNDS = 3;
/** how long a message being moved stays hidden in the DLQ */
const MOVING_VISIBILITY_SECONDS = 60;

export class SqsDeadLetterQueues implements DeadLetterQueues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly options: DeadLetterQueueOptions,
  ) {}

  async list(queue: string, max: number): Promise<DeadLetterSummary> {
    const { dlqUrl } = await this.options.resolve(queue);
    const [depth, messages, moveTasks] = await Promise.all([
      this.depth(dlqUrl),
      this.peek(dlqUrl, max),
      this.options.moveTasks ? this.moveTasks(dlqUrl) : Promise.resolve([]),
    ]);
    return { queue, depth, messages, moveTasks };
  }

  async show(queue: string, messageId: string, max: number): Promise<DeadLetterMessage | undefined> {
    const { dlqUrl } = await this.options.resolve(queue);
    return (await this.peek(dlqUrl, max, messageId)).find((m) => m.messageId === messageId);
  }

  async redrive(queue: string): Promise<RedriveResult> {
    const { url, dlqUrl } = await this.options.resolve(queue);
    if (this.options.moveTasks) {
      const [source, destination] = await Promise.all([this.arnOf(dlqUrl), this.arnOf(url)]);
      const started = await this.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: destination }));
      return { kind: 'move-task', taskHandle: started.TaskHandle ?? '' };
    }
    let moved = 0;
    for (;;) {
      const received = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: MOVING_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) return { kind: 'moved', moved };
      const sent = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.map((m, i) => ({
            Id: `m${i}`,
            MessageBody: m.Body ?? '',
            ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0 ? { MessageAttributes: m.MessageAttributes as Record<string, MessageAttributeValue> } : {}),
          })),
        }),
      );
      const failed = new Set((sent.Failed ?? []).map((f) => f.Id));
      const done = messages.flatMap((m, i) => (failed.has(`m${i}`) ? [] : [{ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle ?? '' }]));
      if (done.length > 0) await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: done }));
      moved += done.length;
      if (failed.size > 0) {
        throw new Error(`${failed.size} message(s) could not be sent back to ${queue} (${(sent.Failed ?? []).map((f) => f.Message ?? f.Code).join('; ')}); ${moved} moved, the rest stay in its DLQ`);
      }
    }
  }

  async redriveMessage(queue: string, messageId: string, max: number, accept: (message: DeadLetterMessage) => boolean = () => true): Promise<boolean> {
    const { url, dlqUrl } = await this.options.resolve(queue);
    const passedOver: Message[] = [];
    let found = false;
    let seenTarget = false;
    try {
      // each receive hides what it returns: the others are made visible again at the end
      for (let seen = 0, quiet = 0; seen < max && quiet < QUIET_ROUNDS && !seenTarget; ) {
        const received = await this.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: MOVING_VISIBILITY_SECONDS, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
        );
        const messages = received.Messages ?? [];
        quiet = messages.length === 0 ? quiet + 1 : 0;
        seen += messages.length;
        for (const m of messages) {
          if (m.MessageId !== messageId || seenTarget) {
            passedOver.push(m);
            continue;
          }
          seenTarget = true;
          if (!accept(messageOf(m))) {
            passedOver.push(m);
            continue;
          }
          await this.sqs.send(
            new SendMessageCommand({
              QueueUrl: url,
              MessageBody: m.Body ?? '',
              ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0 ? { MessageAttributes: m.MessageAttributes as Record<string, MessageAttributeValue> } : {}),
            }),
          );
          await this.sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: m.ReceiptHandle ?? '' }));
          found = true;
        }
      }
    } finally {
      for (let i = 0; i < passedOver.length; i += 10) {
        const batch = passedOver.slice(i, i + 10);
        await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: dlqUrl, Entries: batch.map((m, j) => ({ Id: `m${j}`, ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })) }),
        );
      }
    }
    return found;
  }

  private async depth(dlqUrl: string): Promise<number> {
    const attributes = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const a = attributes.Attributes ?? {};
    return Number(a['ApproximateNumberOfMessages'] ?? 0) + Number(a['ApproximateNumberOfMessagesNotVisible'] ?? 0);
  }

  /** Up to `max` distinct messages of the DLQ, read with a zero visibility timeout (stops early at `until`). */
  private async peek(dlqUrl: string, max: number, until?: string): Promise<DeadLetterMessage[]> {
    const seen = new Map<string, DeadLetterMessage>();
    for (let quiet = 0; quiet < QUIET_ROUNDS && seen.size < max; ) {
      const received = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      let fresh = 0;
      for (const m of received.Messages ?? []) {
        if (!m.MessageId || seen.has(m.MessageId)) continue;
        seen.set(m.MessageId, messageOf(m));
        fresh++;
        if (m.MessageId === until) return [...seen.values()];
      }
      quiet = fresh === 0 ? quiet + 1 : 0;
    }
    return [...seen.values()];
  }

  private async moveTasks(dlqUrl: string): Promise<MoveTask[]> {
    const listed = await this.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: await this.arnOf(dlqUrl), MaxResults: 10 }));
    return (listed.Results ?? []).map((t) => ({
      ...(t.TaskHandle !== undefined ? { taskHandle: t.TaskHandle } : {}),
      status: t.Status ?? 'UNKNOWN',
      ...(t.StartedTimestamp !== undefined ? { startedAt: new Date(t.StartedTimestamp).toISOString() } : {}),
      ...(t.ApproximateNumberOfMessagesMoved !== undefined ? { moved: t.ApproximateNumberOfMessagesMoved } : {}),
      ...(t.ApproximateNumberOfMessagesToMove !== undefined ? { toMove: t.ApproximateNumberOfMessagesToMove } : {}),
      ...(t.FailureReason !== undefined ? { failureReason: t.FailureReason } : {}),
    }));
  }

  private async arnOf(url: string): Promise<string> {
    const attributes = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    const arn = attributes.Attributes?.['QueueArn'];
    if (!arn) throw new Error(`the queue ${url} has no ARN`);
    return arn;
  }
}

function messageOf(m: Message): DeadLetterMessage {
  const body = m.Body ?? '';
  const sent = Number(m.Attributes?.SentTimestamp);
  const count = Number(m.Attributes?.ApproximateReceiveCount);
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  return {
    messageId: m.MessageId ?? '',
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(Number.isFinite(count) && count > 0 ? { receiveCount: count } : {}),
    bytes: Buffer.byteLength(body, 'utf8'),
    body,
    attributes,
  };
}
