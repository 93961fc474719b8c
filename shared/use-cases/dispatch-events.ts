/**
 * Fans domain events out to the queues subscribed to their type. At least once: a record whose
 * sends did not all succeed is reported failed and retried (possibly re-sending to queues that
 * already have it), so every consumer de-duplicates by eventId.
 */
import * as z from 'zod';
import type { QueuePublisher } from './ports';

/** What the dispatcher needs of an event; consumers parse the full contract themselves. */
export const eventEnvelopeSchema = z.looseObject({
  eventId: z.string().min(1).max(64),
  eventType: z.string().min(1).max(64),
  occurredAt: z.string(),
  organizationFiscalCode: z.string(),
});

export interface EventToDispatch {
  /** the stream record's sequence number: the unit of retry */
  readonly recordId: string;
  readonly event: unknown;
}

export interface DispatchDeps {
  readonly publisher: QueuePublisher;
  /** the queue URLs subscribed to an event type */
  readonly routes: (eventType: string) => readonly string[];
  readonly onInvalid: (recordId: string, reason: string) => void;
}

/** Returns the record ids that must be retried. */
export async function dispatchEvents(deps: DispatchDeps, records: readonly EventToDispatch[]): Promise<string[]> {
  const byQueue = new Map<string, Array<{ recordId: string; body: string; eventType: string }>>();
  for (const record of records) {
    const parsed = eventEnvelopeSchema.safeParse(record.event);
    if (!parsed.success) {
      // A malformed outbox item is a bug upstream; retrying cannot fix it. Logged, not retried.
      deps.onInvalid(record.recordId, parsed.error.issues.map((i) => i.message).join('; '));
      continue;
    }
    for (const queueUrl of deps.routes(parsed.data.eventType)) {
      const list = byQueue.get(queueUrl) ?? [];
      list.push({ recordId: record.recordId, body: JSON.stringify(parsed.data), eventType: parsed.data.eventType });
      byQueue.set(queueUrl, list);
    }
  }
  const failed = new Set<string>();
  for (const [queueUrl, messages] of byQueue) {
    const notSent = await deps.publisher.send(
      queueUrl,
      messages.map((m) => ({ id: m.recordId, body: m.body, attributes: { eventType: m.eventType } })),
    );
    for (const id of notSent) failed.add(id);
  }
  return records.map((r) => r.recordId).filter((id) => failed.has(id));
}
