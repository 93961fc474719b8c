/**
 * The webhook deliveries of a position, for its detail in the console: the deliverer records the
 * position an event names with each attempt (the store indexes it), and the use case reads the
 * latest 50 of the tenant's, naming where each went.
 */
import { describe, expect, it } from 'vitest';
import type { AttemptToRecord, DeliveryRecord, PositionDeliveries } from '../../shared/use-cases/webhooks/ports';
import { deliverWebhook, positionOf } from '../../shared/use-cases/webhooks/delivery';
import { POSITION_DELIVERIES_SHOWN, deliveriesOfPosition } from '../../shared/use-cases/webhooks/subscribers';
import { InMemorySubscriberStore, subscriber } from './webhooks/fakes';

const OFC = '80001234568';

const delivery = (i: number, subscriberId: string): DeliveryRecord => ({
  eventId: `event-${i}`,
  eventType: 'payment.received',
  subscriberId,
  attempts: 1,
  status: 'DELIVERED',
  lastStatusCode: 200,
  firstAttemptAt: new Date(Date.UTC(2026, 10, 1, 10, 0, i)).toISOString(),
  lastAttemptAt: new Date(Date.UTC(2026, 10, 1, 10, 0, i)).toISOString(),
});

describe('the position an event is about', () => {
  it('is its top-level iupd, when it is one', () => {
    expect(positionOf(JSON.stringify({ eventType: 'payment.received', iupd: 'TARI-2026-1', nav: '301000000000000001' }))).toEqual({ iupd: 'TARI-2026-1' });
    expect(positionOf(JSON.stringify({ eventType: 'upload.completed', fileId: 'f' }))).toEqual({});
    expect(positionOf(JSON.stringify({ iupd: 'NOT#AN#IUPD' }))).toEqual({});
    expect(positionOf(JSON.stringify({ iupd: 42 }))).toEqual({});
    expect(positionOf('not json')).toEqual({});
    expect(positionOf('null')).toEqual({});
  });

  it('is recorded with every attempt of the deliverer', async () => {
    const store = new InMemorySubscriberStore(subscriber('s1', { organizationFiscalCode: OFC, eventTypes: ['payment.received'] }));
    const attempts: AttemptToRecord[] = [];
    const recording = Object.assign(Object.create(store) as InMemorySubscriberStore, { recordAttempt: async (a: AttemptToRecord) => void attempts.push(a) });
    const message = { eventId: 'e1', eventType: 'payment.received' as const, organizationFiscalCode: OFC, subscriberId: 's1' };
    const deps = { subscribers: recording, sender: { post: async () => ({ kind: 'response' as const, status: 410 }) }, clock: () => new Date('2026-11-01T10:00:00Z'), random: () => 0.5, backoff: { baseSeconds: 60, maxSeconds: 3600 }, maxAttempts: 8, timeoutMs: 1000 };
    await deliverWebhook(deps, { ...message, payload: JSON.stringify({ eventId: 'e1', iupd: 'TARI-2026-1' }) }, 1);
    await deliverWebhook(deps, { ...message, eventId: 'e2', payload: JSON.stringify({ eventId: 'e2', fileId: 'upload' }) }, 1);
    expect(attempts.map((a) => [a.eventId, a.status, a.iupd])).toEqual([
      ['e1', 'FAILED', 'TARI-2026-1'],
      ['e2', 'FAILED', undefined],
    ]);
  });
});

describe("a position's deliveries", () => {
  it('are the latest 50 of the tenant, each naming its subscriber, with `more` when older ones exist', async () => {
    const subscribers = new InMemorySubscriberStore(subscriber('s1', { organizationFiscalCode: OFC, url: 'https://tributi.example/eventi', description: 'Gestionale tributi' }));
    const asked: Array<[string, string, number]> = [];
    const positionDeliveries: PositionDeliveries = {
      ofPosition: async (ofc, iupd, limit) => {
        asked.push([ofc, iupd, limit]);
        return Array.from({ length: Math.min(limit, 60) }, (_, i) => delivery(60 - i, i % 2 === 0 ? 's1' : 'gone'));
      },
    };
    const found = await deliveriesOfPosition({ subscribers, positionDeliveries }, OFC, 'TARI-2026-1');
    expect(asked).toEqual([[OFC, 'TARI-2026-1', POSITION_DELIVERIES_SHOWN + 1]]);
    expect(found.items).toHaveLength(50);
    expect(found).toMatchObject({ limit: 50, more: true });
    expect(found.items[0]).toMatchObject({ eventId: 'event-60', subscriber: { url: 'https://tributi.example/eventi', description: 'Gestionale tributi' } });
    // a subscriber removed since: the delivery is still listed, without where it went
    expect(found.items[1]).not.toHaveProperty('subscriber');
    expect(found.items[1]).toMatchObject({ eventId: 'event-59', subscriberId: 'gone' });
  });

  it('say when there are no more', async () => {
    const found = await deliveriesOfPosition({ subscribers: new InMemorySubscriberStore(), positionDeliveries: { ofPosition: async () => [delivery(1, 's1')] } }, OFC, 'TARI-2026-1', 10);
    expect(found).toMatchObject({ limit: 10, more: false });
    expect(found.items).toHaveLength(1);
  });
});
