/**
 * Fans domain events out to the queues subscribed to their type. At least once: an event whose
 * sends did not all succeed is reported failed and retried (possibly re-sending to queues that
 * already have it), so every consumer de-duplicates by eventId.
 */
import type { EventEnvelope } from '../../../events/domain-events';
import type { QueuePublisher } from '../ports';

export interface EventToDispatch {
  /** the stream record's sequence number: the unit of retry */
  readonly recordId: string;
  readonly event: EventEnvelope;
}

export interface DispatchDeps {
  readonly publisher: QueuePublisher;
  /** the queue URLs subscribed to an event type */
  readonly routes: (eventType: string) => readonly string[];
}

/** Returns the record ids that must be retried, in the order they were given. */
export async function dispatchEvents(deps: DispatchDeps, records: readonly EventToDispatch[]): Promise<string[]> {
  const byQueue = new Map<string, Array<{ id: string; recordId: string; body: string; eventType: string }>>();
  const perRecord = new Map<string, number>();
  for (const { recordId, event } of records) {
    // one record may carry several events (a bulk write's outbox item): their message ids stay unique
    const n = perRecord.get(recordId) ?? 0;
    perRecord.set(recordId, n + 1);
    const id = n === 0 ? recordId : `${recordId}#${n}`;
    for (const queueUrl of deps.routes(event.eventType)) {
      const list = byQueue.get(queueUrl) ?? [];
      list.push({ id, recordId, body: JSON.stringify(event), eventType: event.eventType });
      byQueue.set(queueUrl, list);
    }
  }
  const failed = new Set<string>();
  for (const [queueUrl, messages] of byQueue) {
    const notSent = new Set(
      await deps.publisher.send(
        queueUrl,
        messages.map((m) => ({ id: m.id, body: m.body, attributes: { eventType: m.eventType } })),
      ),
    );
    for (const m of messages) if (notSent.has(m.id)) failed.add(m.recordId);
  }
  return [...new Set(records.map((r) => r.recordId))].filter((id) => failed.has(id));
}
