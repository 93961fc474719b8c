/**
 * The composition root of the webhooks family: the four REST routes of the subscribers
 * (create, list, delete, deliveries), the fan-out (webhook-fanout queue → one message per
 * subscriber) and the deliverer (webhook-delivery queue → signed POST). Built on platform(),
 * once per process; each queue consumer's part is built when its handler asks for it, so a
 * missing queue URL fails that function at start and no other.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import type { WebhookDeliveryMessage } from '../../events/webhook-delivery';
import { envNameFor, functionById } from '../../infra/catalog';
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store';
import { HttpWebhookClient } from '../adapters/http-webhook-client';
import { coalescingPublisher, SqsQueuePublisher, sqsVisibilityTimer } from '../adapters/queue-publisher';
import { ConfigError, readConfig } from '../config/env';
import { generateWebhookSecret } from '../domain/api-keys';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { QueueConsumerDeps } from '../messaging/sqs-consumer';
import type { Telemetry } from '../observability/lambda';
import type { DeliveryDecision, DeliveryDeps } from '../use-cases/webhooks/delivery';
import { shareConcurrentReads, type FanOutDeps } from '../use-cases/webhooks/fan-out';
import type { RedeliveryDeps, SubscriberDeps } from '../use-cases/webhooks/subscribers';
import { maxReceiveCountOf, platform, sqsClient, type Platform } from './platform';

/** The settings of the family (the queue URLs are set by the catalog's grants, envNameFor). */
export const webhooksConfigSchema = z.object({
  QUEUE_URL_WEBHOOK_FANOUT: z.string().min(1).optional(),
  QUEUE_URL_WEBHOOK_DELIVERY: z.string().min(1).optional(),
  /** the ceiling of the first retry delay; doubles per attempt (full jitter below it) */
  WEBHOOK_BACKOFF_BASE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  WEBHOOK_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(0).max(43_200).default(3600),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(29_000).default(5000),
  /** 'true' in the local cloud only: subscribers on 127.0.0.1/localhost over plain http */
  LOCAL_CLOUD: z.string().optional(),
});
type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

/** What the REST routes of the subscribers need. */
export interface WebhookApiDeps extends SubscriberDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

export type WebhookFanOutDeps = QueueConsumerDeps & FanOutDeps;

/** Told every decision of the deliverer (log lines and business metrics). */
export type DeliveryObserver = (message: WebhookDeliveryMessage, attempt: number, decision: DeliveryDecision) => void;

export type WebhookDelivererDeps = QueueConsumerDeps & DeliveryDeps & { readonly observe: DeliveryObserver };

export interface WebhooksRoot {
  readonly api: WebhookApiDeps;
  /** the console's redelivery of a failed delivery (needs the delivery queue's URL) */
  redelivery(): RedeliveryDeps;
  fanOut(): WebhookFanOutDeps;
  deliverer(): WebhookDelivererDeps;
}

/** The log line of each decision; WebhookDelivered / WebhookFailed (refused for good, or parked in the DLQ) counted. */
export function observeDeliveries(telemetry: Telemetry): DeliveryObserver {
  const log = telemetry.logger;
  return (m, attempt, decision) => {
    const context = { eventId: m.eventId, subscriberId: m.subscriberId, eventType: m.eventType, attempt };
    if (decision.kind === 'done') {
      log.info('webhook delivery done', { ...context, outcome: decision.why });
      if (decision.why === 'delivered') telemetry.count('WebhookDelivered');
      if (decision.why === 'refused') telemetry.count('WebhookFailed');
    } else if (decision.kind === 'retry') {
      log.warn('webhook delivery will be retried', { ...context, statusCode: decision.statusCode, error: decision.error, delaySeconds: decision.delaySeconds });
    } else {
      log.error('webhook delivery gave up: parked in the DLQ', { ...context, statusCode: decision.statusCode, error: decision.error });
      telemetry.count('WebhookFailed');
    }
  };
}

/** The URL of the queue that triggers `functionId`, from the environment its grant sets. */
function triggerQueueUrl(config: WebhooksConfig, functionId: string): string {
  const trigger = functionById(functionId).triggers.find((t) => t.kind === 'queue');
  return queueUrl(config, trigger?.kind === 'queue' ? trigger.queue : '', functionId);
}

function queueUrl(config: WebhooksConfig, queueId: string, functionId: string): string {
  const name = envNameFor('queue', queueId) as keyof WebhooksConfig;
  const url = config[name];
  if (typeof url !== 'string' || url === '') throw new ConfigError([`${name}: the queue URL is required by ${functionId}`]);
  return url;
}

function build(base: Platform, config: WebhooksConfig): WebhooksRoot {
  const { telemetry } = base;
  const store = new DynamoSubscriberStore(base.db, base.tableName);
  let fanOut: WebhookFanOutDeps | undefined;
  let deliverer: WebhookDelivererDeps | undefined;
  let redelivery: RedeliveryDeps | undefined;
  return {
    api: {
      logger: telemetry.logger,
      authenticate: base.authenticate,
      subscribers: store,
      clock: base.clock,
      newId: base.newId,
      newSecret: () => generateWebhookSecret(),
      allowLoopbackHttp: config.LOCAL_CLOUD === 'true',
    },
    redelivery: () =>
      (redelivery ??= {
        subscribers: store,
        publisher: new SqsQueuePublisher(sqsClient()),
        deliveryQueueUrl: queueUrl(config, 'webhook-delivery', 'console-api'),
        clock: base.clock,
      }),
    fanOut: () =>
      (fanOut ??= {
        logger: telemetry.logger,
        maxReceiveCount: maxReceiveCountOf('webhook-fanout'),
        setVisibility: sqsVisibilityTimer(sqsClient(), triggerQueueUrl(config, 'webhook-fanout')),
        // the records of a batch read each tenant's subscribers once and share SendMessageBatch calls
        subscribers: shareConcurrentReads(store),
        publisher: coalescingPublisher(new SqsQueuePublisher(sqsClient())),
        deliveryQueueUrl: queueUrl(config, 'webhook-delivery', 'webhook-fanout'),
      }),
    deliverer: () => {
      if (deliverer) return deliverer;
      const attempts = maxReceiveCountOf('webhook-deliverer');
      deliverer = {
        logger: telemetry.logger,
        maxReceiveCount: attempts,
        setVisibility: sqsVisibilityTimer(sqsClient(), triggerQueueUrl(config, 'webhook-deliverer')),
        subscribers: store,
        sender: new HttpWebhookClient({ allowLoopback: config.LOCAL_CLOUD === 'true' }),
        clock: base.clock,
        random: Math.random,
        backoff: { baseSeconds: config.WEBHOOK_BACKOFF_BASE_SECONDS, maxSeconds: config.WEBHOOK_BACKOFF_MAX_SECONDS },
        maxAttempts: attempts,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        observe: observeDeliveries(telemetry),
      };
      return deliverer;
    },
  };
}

let built: { key: string; platform: Platform; root: WebhooksRoot } | undefined;

/** The family's root; built on first call (after the environment is set), again only if the settings change. */
export function webhooksRoot(env: NodeJS.ProcessEnv = process.env): WebhooksRoot {
  const base = platform(env);
  const config = readConfig(webhooksConfigSchema, env);
  const key = JSON.stringify(config);
  if (built?.key === key && built.platform === base) return built.root;
  built = { key, platform: base, root: build(base, config) };
  return built.root;
}
