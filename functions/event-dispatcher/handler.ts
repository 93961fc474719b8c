import { eventEnvelopeSchema } from '../../events/domain-events';
import { eventDispatcherRoot, type EventDispatcherDeps } from '../../shared/composition/event-dispatcher';
import { consumeOutboxStream } from '../../shared/messaging/outbox-stream';
import { dispatchEvents } from '../../shared/use-cases/events/dispatch';

/** Table stream (outbox items, `type = event`) → the SQS queues subscribed to each event type. */
export const makeHandler = (deps: EventDispatcherDeps) =>
  consumeOutboxStream(deps, { what: 'outbox event', schema: eventEnvelopeSchema, handle: (records) => dispatchEvents(deps, records) });

export const handler = makeHandler(eventDispatcherRoot());
