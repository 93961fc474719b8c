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
  const byQueue = new Map<string, Array<{ recordId: string; body: string; eventType: string }>>();
  for (const { recordId, event } of records) {
    for (const queueUrl of deps.routes(event.eventType)) {
      const list = byQueue.get(queueUrl) ?? [];
      list.push({ recordId, body: JSON.stringify(event), eventType: event.eventType });
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
