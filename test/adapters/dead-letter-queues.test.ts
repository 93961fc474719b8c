/**
 * The dead-letter queues adapter with SQS mocked: what AWS is asked for list, show and redrive
 * (a message move task from the DLQ back to its queue), and the one-by-one move where the queue
 * service has no move tasks. The local path also runs for real on fauxqs (test/e2e/dead-letter-queues.test.ts).
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
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsDeadLetterQueues } from '../../shared/adapters/dead-letter-queues';

const sqs = mockClient(SQSClient);
const URL = 'https://sqs.eu-south-1.amazonaws.com/123456789012/pagopa-layer-prod-receipts';
const DLQ = `${URL}-dlq`;
const arnOf = (url: string) => `arn:aws:sqs:eu-south-1:123456789012:${url.split('/').pop()}`;
const queues = (moveTasks: boolean) => new SqsDeadLetterQueues(new SQSClient({ region: 'eu-south-1' }), { moveTasks, resolve: async () => ({ url: URL, dlqUrl: DLQ }) });

beforeEach(() => {
  sqs.reset();
  sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string; AttributeNames: string[] }) =>
    input.AttributeNames.includes('QueueArn')
      ? { Attributes: { QueueArn: arnOf(input.QueueUrl) } }
      : { Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '1' } },
  );
});

const message = (id: string, body = `{"receiptId":"${id}"}`) => ({
  MessageId: id,
  ReceiptHandle: `handle-${id}`,
  Body: body,
  Attributes: { SentTimestamp: '1796119200000', ApproximateReceiveCount: '6' },
});

describe('SqsDeadLetterQueues on AWS (message move tasks)', () => {
  it('list: the depth, each message once, read with a zero visibility timeout, and the move tasks', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('a'), message('b')] }).resolvesOnce({ Messages: [message('a')] }).resolves({});
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [{ TaskHandle: 't-1', Status: 'COMPLETED', StartedTimestamp: 1796119200000, ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 }],
    });
    const summary = await queues(true).list('receipts', 10);
    expect(summary).toEqual({
      queue: 'receipts',
      depth: 3,
      messages: [
        { messageId: 'a', sentAt: '2026-12-01T10:00:00.000Z', receiveCount: 6, bytes: 17, body: '{"receiptId":"a"}', attributes: {} },
        { messageId: 'b', sentAt: '2026-12-01T10:00:00.000Z', receiveCount: 6, bytes: 17, body: '{"receiptId":"b"}', attributes: {} },
      ],
      moveTasks: [{ taskHandle: 't-1', status: 'COMPLETED', startedAt: '2026-12-01T10:00:00.000Z', moved: 3, toMove: 3 }],
    });
    const receives = sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
    expect(receives.every((r) => r.QueueUrl === DLQ && r.VisibilityTimeout === 0)).toBe(true);
    expect(sqs.commandCalls(ListMessageMoveTasksCommand)[0]!.args[0].input).toEqual({ SourceArn: arnOf(DLQ), MaxResults: 10 });
    // nothing taken: no delete, no send
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
  });

  it('show: the message asked for, or undefined when it is not there', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('a'), message('b', 'not json')] }).resolves({});
    expect(await queues(true).show('receipts', 'b', 100)).toMatchObject({ messageId: 'b', body: 'not json', bytes: 8 });
    expect(await queues(true).show('receipts', 'zzz', 100)).toBeUndefined();
  });

  it('redrive: an SQS message move task from the DLQ back to its queue', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-handle-1' });
    expect(await queues(true).redrive('receipts')).toEqual({ kind: 'move-task', taskHandle: 'task-handle-1' });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({ SourceArn: arnOf(DLQ), DestinationArn: arnOf(URL) });
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });
});

describe('SqsDeadLetterQueues without move tasks (the local emulator)', () => {
  it('redrive: each batch received, sent to the queue with its attributes, then deleted from the DLQ', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ ...message('a'), MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } } }, message('b')] })
      .resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: 'm0', MessageId: 'n0', MD5OfMessageBody: '' }, { Id: 'm1', MessageId: 'n1', MD5OfMessageBody: '' }] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [] });
    expect(await queues(false).redrive('receipts')).toEqual({ kind: 'moved', moved: 2 });
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input).toEqual({
      QueueUrl: URL,
      Entries: [
        { Id: 'm0', MessageBody: '{"receiptId":"a"}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } } },
        { Id: 'm1', MessageBody: '{"receiptId":"b"}' },
      ],
    });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input).toEqual({
      QueueUrl: DLQ,
      Entries: [
        { Id: 'm0', ReceiptHandle: 'handle-a' },
        { Id: 'm1', ReceiptHandle: 'handle-b' },
      ],
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  it('a message the queue refuses stays in the DLQ (not deleted) and the redrive says so', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('a'), message('b')] }).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: 'm0', MessageId: 'n0', MD5OfMessageBody: '' }], Failed: [{ Id: 'm1', Code: 'InvalidMessageContents', SenderFault: true, Message: 'bad' }] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [] });
    await expect(queues(false).redrive('receipts')).rejects.toThrow('1 message(s) could not be sent back to receipts (bad); 1 moved, the rest stay in its DLQ');
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input.Entries).toEqual([{ Id: 'm0', ReceiptHandle: 'handle-a' }]);
  });
});

describe('one message back to its queue (the console)', () => {
  it('sends the one asked for and deletes it from the DLQ; the others it received are made visible again', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('a'), message('b')] }).resolvesOnce({ Messages: [message('c')] }).resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    expect(await queues(false).redriveMessage('receipts', 'b', 100)).toBe(true);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => [c.args[0].input.QueueUrl, c.args[0].input.MessageBody])).toEqual([[URL, '{"receiptId":"b"}']]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => [c.args[0].input.QueueUrl, c.args[0].input.ReceiptHandle])).toEqual([[DLQ, 'handle-b']]);
    const shownAgain = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => [e.ReceiptHandle, e.VisibilityTimeout]));
    expect(shownAgain).toEqual([['handle-a', 0]]);
  });

  it('false when the message is not there: every message it received is visible again, nothing sent or deleted', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('a')] }).resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    expect(await queues(false).redriveMessage('receipts', 'zzz', 100)).toBe(false);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.ReceiptHandle))).toEqual(['handle-a']);
  });

  it('a message the caller does not accept (another tenant\'s) stays in the DLQ, visible again, and the answer is false', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('a'), message('b')] }).resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const seen: string[] = [];
    expect(await queues(false).redriveMessage('receipts', 'b', 100, (m) => (seen.push(m.body), false))).toBe(false);
    expect(seen).toEqual(['{"receiptId":"b"}']);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.ReceiptHandle))).toEqual(['handle-a', 'handle-b']);
  });
});
