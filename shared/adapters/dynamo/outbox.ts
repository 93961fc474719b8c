/**
 * The items every state change writes next to itself in the same transaction: its audit line and
 * its domain event (the outbox, read back from the table's stream by the event dispatcher).
 */
import { SK, eventPk, positionPk } from './keys';

/** Outbox items live long enough for the stream and any replay, then DynamoDB TTL removes them. */
export const EVENT_TTL_SECONDS = 7 * 24 * 3600;

interface OutboxEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: string;
}

/** A conditional Put of a domain event (an event id is written once). */
export function outboxEventPut(tableName: string, event: OutboxEvent) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk: eventPk(event.eventId),
        sk: SK.event,
        type: 'event',
        eventType: event.eventType,
        event,
        expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + EVENT_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * A conditional Put of several domain events in ONE outbox item (`events`, in order), keyed by the
 * first event's id: a bulk write (an upload's chunk) pays one item for its events instead of one
 * each. The dispatcher hands each event on as if it had its own item (shared/messaging/outbox-stream.ts).
 * At most OUTBOX_EVENTS_PER_ITEM events of a few hundred bytes: far below DynamoDB's 400 KB per item.
 */
export function outboxEventsPut(tableName: string, events: readonly OutboxEvent[]) {
  const first = events[0];
  if (!first || events.length > OUTBOX_EVENTS_PER_ITEM) throw new Error(`an outbox item holds 1 to ${OUTBOX_EVENTS_PER_ITEM} events, not ${events.length}`);
  return {
    Put: {
      TableName: tableName,
      Item: { pk: eventPk(first.eventId), sk: SK.event, type: 'event', events, expiresAt: Math.floor(Date.parse(first.occurredAt) / 1000) + EVENT_TTL_SECONDS },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
export const OUTBOX_EVENTS_PER_ITEM = 200;

/** A conditional Put of an audit line under its position (append-only: never overwritten). */
export function auditPut(
  tableName: string,
  position: { readonly organizationFiscalCode: string; readonly iupd: string },
  audit: { readonly at: string; readonly version: number },
) {
  return {
    Put: {
      TableName: tableName,
      Item: auditItem(position, audit),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** An audit line as stored: under its position, keyed by its time and the version it produced. */
export function auditItem(position: { readonly organizationFiscalCode: string; readonly iupd: string }, audit: { readonly at: string; readonly version: number }): Record<string, unknown> {
  return { pk: positionPk(position.organizationFiscalCode, position.iupd), sk: SK.audit(audit.at, audit.version), type: 'audit', audit };
}
