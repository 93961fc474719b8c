/**
 * The event dispatcher through its seam (makeHandler) with an in-memory publisher: outbox items
 * of the table stream to the queues subscribed to their type, and the stream's ordered retry
 * (only the FIRST failed record is reported: Lambda resumes from there).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/event-dispatcher/handler';
import { envNameFor, subscribersOf } from '../../infra/catalog';
import { eventDispatcherRoot, type EventDispatcherDeps } from '../../shared/composition/event-dispatcher';
import { InMemoryPublisher, OFC, lambdaContext, quietLogger } from './webhooks/fakes';

const ROUTES: Record<string, string[]> = {
  'payment.received': ['https://sqs.local/io-messages', 'https://sqs.local/webhook-fanout'],
  'debt-position.published': ['https://sqs.local/webhook-fanout'],
};

const event = (n: number, eventType = 'payment.received') => ({
  eventId: `e0000000-0000-4000-8000-00000000000${n}`,
  eventType,
  occurredAt: '2030-05-01T10:00:00.000Z',
  organizationFiscalCode: OFC,
  iupd: `TARI-${n}`,
});

function streamRecord(sequenceNumber: string, item: Record<string, unknown> | undefined, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      SequenceNumber: sequenceNumber,
      ...(item ? { NewImage: marshall(item, { removeUndefinedValues: true }) as never } : {}),
    },
  };
}
const outboxItem = (payload: unknown) => ({ pk: 'OUTBOX#x', sk: 'EVENT#x', type: 'event', event: payload });
const stream = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

function setup() {
  const publisher = new InMemoryPublisher();
  const deps: EventDispatcherDeps = { logger: quietLogger(), publisher, routes: (type) => ROUTES[type] ?? [] };
  return { publisher, handler: makeHandler(deps) };
}

describe('event-dispatcher handler', () => {
  it('sends each inserted event to every queue subscribed to its type, one batch per queue', async () => {
    const { handler, publisher } = setup();
    const result = await handler(
      stream(
        streamRecord('100', outboxItem(event(1))),
        streamRecord('101', outboxItem(event(2, 'debt-position.published'))),
        streamRecord('102', outboxItem(event(3, 'debt-position.created'))), // nobody subscribes
        streamRecord('103', outboxItem(event(4)), 'MODIFY'),
        streamRecord('104', undefined, 'REMOVE'),
      ),
      lambdaContext(),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(publisher.calls.map((c) => [c.queueUrl, c.messages.map((m) => m.id)])).toEqual([
      ['https://sqs.local/io-messages', ['100']],
      ['https://sqs.local/webhook-fanout', ['100', '101']],
    ]);
    const sent = publisher.calls[1]!.messages[1]!;
    expect(JSON.parse(sent.body)).toEqual(event(2, 'debt-position.published'));
    expect(sent.attributes).toEqual({ eventType: 'debt-position.published' });
  });

  it('reports only the first failed record in stream order, so Lambda retries from it', async () => {
    const { handler, publisher } = setup();
    // record 101 fails on one queue, 102 on another: 101 is reported, 102 comes again with it
    publisher.refuse = (url, m) => (m.id === '102' && url.endsWith('io-messages')) || (m.id === '101' && url.endsWith('webhook-fanout'));
    const result = await handler(
      stream(streamRecord('100', outboxItem(event(1))), streamRecord('101', outboxItem(event(2))), streamRecord('102', outboxItem(event(3)))),
      lambdaContext(),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
  });

  it('hands on every event of an item that carries several (a bulk write), each message id unique, retried together', async () => {
    const { handler, publisher } = setup();
    const several = { pk: 'EVENT#x', sk: 'EVENT', type: 'event', events: [event(1), event(2), event(3, 'debt-position.published')] };
    const result = await handler(stream(streamRecord('100', outboxItem(event(4))), streamRecord('101', several), streamRecord('102', outboxItem(event(5)))), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(publisher.calls.map((c) => [c.queueUrl, c.messages.map((m) => m.id)])).toEqual([
      ['https://sqs.local/io-messages', ['100', '101', '101#1', '102']],
      ['https://sqs.local/webhook-fanout', ['100', '101', '101#1', '101#2', '102']],
    ]);
    expect(publisher.calls[1]!.messages.map((m) => JSON.parse(m.body).eventId)).toEqual([4, 1, 2, 3, 5].map((n) => event(n).eventId));
    // one of the item's events not sent: the item's record is the one Lambda retries from
    publisher.refuse = (_url, m) => m.id === '101#2';
    const again = await handler(stream(streamRecord('100', outboxItem(event(4))), streamRecord('101', several), streamRecord('102', outboxItem(event(5)))), lambdaContext());
    expect(again).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
  });

  it('skips (logs, never retries) an outbox item without a valid event, and dispatches the others', async () => {
    const { handler, publisher } = setup();
    const result = await handler(
      stream(streamRecord('100', outboxItem({ eventType: 'payment.received' })), streamRecord('101', { pk: 'x' }), streamRecord('102', outboxItem(event(3)))),
      lambdaContext(),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(publisher.calls.flatMap((c) => c.messages.map((m) => m.id))).toEqual(['102', '102']);
  });
});

describe('the event dispatcher root', () => {
  it('routes an event type to the URLs of the queues the catalog subscribes to it, as far as they are set', () => {
    const subscribed = subscribersOf('payment.received').map((q) => q.id);
    expect(subscribed.length).toBeGreaterThan(1);
    const [first, ...rest] = subscribed;
    const env = {
      [envNameFor('queue', first!)]: `https://sqs.local/${first}`,
      ...Object.fromEntries(rest.map((id) => [envNameFor('queue', id), `https://sqs.local/${id}`])),
    };
    expect(eventDispatcherRoot(env).routes('payment.received')).toEqual(subscribed.map((id) => `https://sqs.local/${id}`));
    // a queue whose URL is not set is a route not taken
    expect(eventDispatcherRoot({ [envNameFor('queue', first!)]: `https://sqs.local/${first}` }).routes('payment.received')).toEqual([`https://sqs.local/${first}`]);
    expect(eventDispatcherRoot(env).routes('no.such-type')).toEqual([]);
  });
});

