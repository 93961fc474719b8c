/**
 * The webhook-fanout function through its seam (makeHandler) with in-memory ports: one delivery
 * message per active subscriber of the event's type, and per-message partial failures.
 */
import { describe, expect, it, vi } from 'vitest';
import { coalescingPublisher } from '../../../shared/adapters/queue-publisher';
import type { WebhookFanOutDeps } from '../../../shared/composition/webhooks';
import { shareConcurrentReads } from '../../../shared/use-cases/webhooks/fan-out';
import { InMemoryPublisher, InMemorySubscriberStore, OFC, OTHER_OFC, lambdaContext, quietLogger, sqsEvent, sqsRecord, subscriber, visibilityRecorder } from './fakes';

// importing the handler module composes the real root (no I/O until a handler runs)
vi.hoisted(() => {
  process.env['TABLE_NAME_MAIN'] ??= 'unit-test-table';
  process.env['QUEUE_URL_WEBHOOK_FANOUT'] ??= 'https://sqs.local/webhook-fanout';
  process.env['QUEUE_URL_WEBHOOK_DELIVERY'] ??= 'https://sqs.local/webhook-delivery';
});
import { makeHandler } from '../../../functions/webhook-fanout/handler';

const DELIVERY_QUEUE = 'https://sqs.local/webhook-delivery';

const paymentEvent = (n: number, organizationFiscalCode = OFC) => ({
  eventId: `e0000000-0000-4000-8000-00000000000${n}`,
  eventType: 'payment.received',
  occurredAt: '2030-05-01T10:00:00.000Z',
  organizationFiscalCode,
  iupd: 'TARI-1',
  nav: '312000000000000184',
  amount: 12345,
  status: 'PAID',
});

function setup(store = new InMemorySubscriberStore(subscriber('a'), subscriber('b'), subscriber('c', { eventTypes: ['debt-position.published'] }))) {
  const publisher = new InMemoryPublisher();
  const visibility = visibilityRecorder();
  const deps: WebhookFanOutDeps = {
    logger: quietLogger(),
    maxReceiveCount: 5,
    setVisibility: visibility.setVisibility,
    subscribers: store,
    publisher,
    deliveryQueueUrl: DELIVERY_QUEUE,
  };
  return { deps, store, publisher, visibility, handler: makeHandler(deps) };
}

describe('webhook-fanout handler', () => {
  it('queues one delivery message per active subscriber of the type, carrying the event JSON as queued', async () => {
    const { handler, publisher, visibility } = setup();
    const record = sqsRecord(paymentEvent(1), { id: 'r1' });
    expect(await handler(sqsEvent(record), lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(publisher.calls.map((c) => c.queueUrl)).toEqual([DELIVERY_QUEUE]);
    const bodies = publisher.calls[0]!.messages.map((m) => JSON.parse(m.body));
    expect(bodies).toEqual(
      ['a', 'b'].map((subscriberId) => ({
        eventId: paymentEvent(1).eventId,
        eventType: 'payment.received',
        organizationFiscalCode: OFC,
        subscriberId,
        payload: record.body,
      })),
    );
    expect(publisher.calls[0]!.messages.every((m) => m.attributes?.['eventType'] === 'payment.received' && !m.body.includes('whsec_'))).toBe(true);
    expect(visibility.changes.size).toBe(0);
  });

  it('queues nothing for an event no subscriber wants', async () => {
    const { handler, publisher } = setup(new InMemorySubscriberStore(subscriber('c', { eventTypes: ['debt-position.published'] })));
    expect(await handler(sqsEvent(sqsRecord(paymentEvent(1), { id: 'r1' })), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(publisher.calls).toEqual([]);
  });

  it('reports only the events whose messages were not all accepted, or whose subscribers could not be read', async () => {
    const store = new InMemorySubscriberStore(subscriber('a'), subscriber('b'), subscriber('x', { organizationFiscalCode: OTHER_OFC }));
    const { handler, publisher, visibility } = setup(store);
    const r1 = sqsRecord(paymentEvent(1), { id: 'r1' });
    const r2 = sqsRecord(paymentEvent(2), { id: 'r2' });
    const r3 = sqsRecord(paymentEvent(3, OTHER_OFC), { id: 'r3' });
    // the message of event 1 for subscriber b is refused by the queue
    publisher.refuse = (_url, m) => m.body.includes(paymentEvent(1).eventId) && JSON.parse(m.body).subscriberId === 'b';
    const result = await handler(sqsEvent(r1, r2, r3), lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'r1' }]);
    expect(publisher.sent.map((s) => `${JSON.parse(s.message.body).eventId.slice(-1)}:${JSON.parse(s.message.body).subscriberId}`).sort()).toEqual(['1:a', '2:a', '2:b', '3:x']);

    store.failOn = { method: 'list' };
    expect((await handler(sqsEvent(r2), lambdaContext())).batchItemFailures).toEqual([{ itemIdentifier: 'r2' }]);
    // back after the queue's visibility timeout, not sooner
    expect(visibility.changes.size).toBe(0);
  });

  it('parks a malformed event: failed and visible again at once, nothing queued', async () => {
    const { handler, publisher, visibility } = setup();
    const junk = sqsRecord('{not json', { id: 'junk' });
    const wrong = sqsRecord({ eventId: 'x', eventType: 'payment.refunded', organizationFiscalCode: OFC, occurredAt: 'now' }, { id: 'wrong' });
    const result = await handler(sqsEvent(junk, wrong), lambdaContext());
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['junk', 'wrong']);
    expect(Object.fromEntries(visibility.changes)).toEqual({ 'rh-junk': 0, 'rh-wrong': 0 });
    expect(publisher.calls).toEqual([]);
  });

  it('as composed (shared reads, coalesced sends): one read per tenant and one send for the whole batch', async () => {
    const store = new InMemorySubscriberStore(subscriber('a'), subscriber('b'));
    const inner = new InMemoryPublisher();
    inner.refuse = (_url, m) => m.body.includes(paymentEvent(2).eventId) && JSON.parse(m.body).subscriberId === 'a';
    const { deps } = setup(store);
    const handler = makeHandler({ ...deps, subscribers: shareConcurrentReads(store), publisher: coalescingPublisher(inner) });
    const result = await handler(sqsEvent(sqsRecord(paymentEvent(1), { id: 'r1' }), sqsRecord(paymentEvent(2), { id: 'r2' })), lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'r2' }]);
    expect(store.calls.filter((c) => c === 'list')).toHaveLength(1);
    expect(inner.calls).toHaveLength(1);
    expect(inner.calls[0]!.messages.map((m) => `${JSON.parse(m.body).eventId.slice(-1)}:${JSON.parse(m.body).subscriberId}`)).toEqual(['1:a', '1:b', '2:a', '2:b']);
    // a later batch reads again (nothing is cached beyond the reads in flight)
    await handler(sqsEvent(sqsRecord(paymentEvent(3), { id: 'r3' })), lambdaContext());
    expect(store.calls.filter((c) => c === 'list')).toHaveLength(2);
  });
});
