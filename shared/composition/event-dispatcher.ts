/**
 * The composition root of the event dispatcher (table stream → the queues subscribed to each
 * event type). The dispatcher has no grant on the main table, so it is not built on platform()
 * (which requires TABLE_NAME_MAIN): it takes the process's telemetry and an SQS client of its own.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { catalog, envNameFor, subscribersOf } from '../../infra/catalog';
import { SqsQueuePublisher } from '../adapters/queue-publisher';
import { readConfig } from '../config/env';
import { telemetry } from '../observability/lambda';
import type { DispatchDeps } from '../use-cases/events/dispatch';

export interface EventDispatcherDeps extends DispatchDeps {
  readonly logger: Logger;
}

/** The dispatcher's settings: the URL of every queue subscribed to events (set by its grants; one missing is a route not taken). */
export const eventDispatcherConfigSchema = z.object(
  Object.fromEntries(
    catalog.queues.filter((q) => (q.subscribesTo ?? []).length > 0).map((q) => [envNameFor('queue', q.id), z.string().min(1).optional()]),
  ),
);

let dispatcher: { key: string; deps: EventDispatcherDeps } | undefined;

/** Built on first call (after the environment is set), again only if the settings change. */
export function eventDispatcherRoot(env: NodeJS.ProcessEnv = process.env): EventDispatcherDeps {
  const config = readConfig(eventDispatcherConfigSchema, env) as Record<string, string | undefined>;
  const key = JSON.stringify(config);
  if (dispatcher?.key === key) return dispatcher.deps;
  const deps: EventDispatcherDeps = {
    logger: telemetry().logger,
    publisher: new SqsQueuePublisher(new SQSClient({})),
    routes: (eventType) => subscribersOf(eventType).flatMap((q) => config[envNameFor('queue', q.id)] ?? []),
  };
  dispatcher = { key, deps };
  return deps;
}
