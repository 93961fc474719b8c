/**
 * Webhook subscribers (under the tenant's partition, beside its keys and secrets) and the record
 * of every delivery, one item per (subscriber, event): the idempotency key of the deliverer.
 * Signing secrets are stored in clear (they are needed to sign; the table is KMS-encrypted) and
 * never leave this store except to the deliverer.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type {
  AttemptToRecord,
  DeliveryPage,
  DeliveryRecord,
  DeliveryStatus,
  PositionDeliveries,
  RedeliveryRequest,
  SubscriberStore,
  WebhookSubscriberWithSecret,
} from '../../use-cases/webhooks/ports';
import type { Actor } from '../../use-cases/ports';
import { isConditionFailure, queryItems } from './client';
import { WEBHOOK_SK, orgPk, webhookDeliveryPk, webhookGsi } from './keys';

/**
 * The deliveries of the events about one position (the console's position detail): a delivery
 * recorded with the event's iupd also gets the keys of a sparse GSI3 entry, beside the receipts of
 * a position (position-receipts.ts), under another partition key; no extra item is written:
 *
 *   item       gsi3pk                                       gsi3sk
 *   delivery   ORG#<ofc>#POS#<iupd>#WEBHOOK_DELIVERIES     <first attempt>#<subscriberId>#<eventId>
 *
 * Deliveries recorded before these keys were written are not listed there (they expire in 30 days).
 */
export const positionDeliveriesGsi = (ofc: string, iupd: string): string => `ORG#${ofc}#POS#${iupd}#WEBHOOK_DELIVERIES`;

/** delivery records are kept this long after their last attempt */
export const DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600;

export class DynamoSubscriberStore implements SubscriberStore, PositionDeliveries {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(subscriber: WebhookSubscriberWithSecret, max: number): Promise<boolean> {
    // A soft cap: two concurrent registrations may both pass it, which is harmless.
    if ((await this.list(subscriber.organizationFiscalCode)).length >= max) return false;
    const { secret, ...rest } = subscriber;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: orgPk(subscriber.organizationFiscalCode),
          sk: WEBHOOK_SK.subscriber(subscriber.id),
          type: 'webhook-subscriber',
          subscriber: rest,
          secret,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  }

  async list(organizationFiscalCode: string): Promise<WebhookSubscriberWithSecret[]> {
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': orgPk(organizationFiscalCode), ':prefix': WEBHOOK_SK.subscriberPrefix },
      ConsistentRead: true,
    });
    const out = items.map(toSubscriber);
    return out;
  }

  async get(organizationFiscalCode: string, id: string): Promise<WebhookSubscriberWithSecret | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: orgPk(organizationFiscalCode), sk: WEBHOOK_SK.subscriber(id) },
        ConsistentRead: true,
      }),
    );
    return result.Item ? toSubscriber(result.Item) : undefined;
  }

  async remove(organizationFiscalCode: string, id: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: orgPk(organizationFiscalCode), sk: WEBHOOK_SK.subscriber(id) },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getDelivery(organizationFiscalCode: string, subscriberId: string, eventId: string): Promise<DeliveryRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: webhookDeliveryPk(organizationFiscalCode, subscriberId), sk: WEBHOOK_SK.delivery(eventId) },
        ConsistentRead: true,
      }),
    );
    return result.Item ? toDelivery(result.Item) : undefined;
  }

  async recordAttempt(a: AttemptToRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(a.at) / 1000) + DELIVERY_RETENTION_SECONDS;
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':one': 1,
      ':status': a.status,
      ':at': a.at,
      ':eventId': a.eventId,
      ':eventType': a.eventType,
      ':subscriberId': a.subscriberId,
      ':type': 'webhook-delivery',
      ':gsi1pk': webhookGsi.deliveries(a.organizationFiscalCode, a.subscriberId),
      ':gsi1sk': `${a.at}#${a.eventId}`,
      ':expiresAt': expiresAt,
    };
    if (a.payload !== undefined) values[':payload'] = a.payload;
    if (a.iupd !== undefined) {
      values[':gsi3pk'] = positionDeliveriesGsi(a.organizationFiscalCode, a.iupd);
      values[':gsi3sk'] = `${a.at}#${a.subscriberId}#${a.eventId}`;
    }
    const set = [
      '#type = :type',
      'eventId = :eventId',
      'eventType = :eventType',
      'subscriberId = :subscriberId',
      '#status = :status',
      'lastAttemptAt = :at',
      'firstAttemptAt = if_not_exists(firstAttemptAt, :at)',
      'gsi1pk = :gsi1pk',
      'gsi1sk = if_not_exists(gsi1sk, :gsi1sk)',
      'expiresAt = :expiresAt',
      ...(a.payload !== undefined ? ['payload = if_not_exists(payload, :payload)'] : []),
      ...(a.iupd !== undefined ? ['gsi3pk = if_not_exists(gsi3pk, :gsi3pk)', 'gsi3sk = if_not_exists(gsi3sk, :gsi3sk)'] : []),
    ];
    names['#type'] = 'type';
    const remove: string[] = [];
    if (a.statusCode !== undefined) {
      set.push('lastStatusCode = :code');
      values[':code'] = a.statusCode;
    } else {
      remove.push('lastStatusCode');
    }
    if (a.error !== undefined) {
      set.push('lastError = :error');
      values[':error'] = a.error.slice(0, 200);
    } else {
      remove.push('lastError');
    }
    if (a.status === 'DELIVERED') set.push('deliveredAt = if_not_exists(deliveredAt, :at)');
    else values[':delivered'] = 'DELIVERED';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: webhookDeliveryPk(a.organizationFiscalCode, a.subscriberId), sk: WEBHOOK_SK.delivery(a.eventId) },
          UpdateExpression: `SET ${set.join(', ')} ADD attempts :one${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          // a late failure of a duplicate attempt must not hide that the event was delivered
          ConditionExpression: a.status === 'DELIVERED' ? undefined : 'attribute_not_exists(#status) OR #status <> :delivered',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw error;
    }
  }

  async requestRedelivery(organizationFiscalCode: string, subscriberId: string, eventId: string, by: { at: string; actor: Actor }): Promise<RedeliveryRequest> {
    const key = { pk: webhookDeliveryPk(organizationFiscalCode, subscriberId), sk: WEBHOOK_SK.delivery(eventId) };
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #status = :retrying, redelivery = :redelivery',
          // or a redelivery asked before and not attempted since (its message may never have been queued): asked again
          ConditionExpression: 'attribute_exists(pk) AND attribute_exists(payload) AND (#status IN (:failed, :dead) OR (#status = :retrying AND redelivery.#at > lastAttemptAt))',
          ExpressionAttributeNames: { '#status': 'status', '#at': 'at' },
          ExpressionAttributeValues: { ':retrying': 'RETRYING', ':failed': 'FAILED', ':dead': 'DEAD_LETTERED', ':redelivery': { at: by.at, by: by.actor } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = result.Attributes ?? {};
      return { kind: 'requested', record: toDelivery(item), payload: String(item['payload']) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      if (!current.Item) return { kind: 'not-found' };
      const status = current.Item['status'] as DeliveryStatus;
      return (status === 'FAILED' || status === 'DEAD_LETTERED') && typeof current.Item['payload'] !== 'string' ? { kind: 'no-payload' } : { kind: 'not-ended', status };
    }
  }

  async listDeliveries(
    organizationFiscalCode: string,
    subscriberId: string,
    query: { limit: number; cursor?: string },
  ): Promise<DeliveryPage | undefined> {
    const gsi1pk = webhookGsi.deliveries(organizationFiscalCode, subscriberId);
    const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, gsi1pk, webhookDeliveryPk(organizationFiscalCode, subscriberId));
    if (start === 'invalid') return undefined;
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': gsi1pk },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: start,
      }),
    );
    const items = (page.Items ?? []).map(toDelivery);
    return page.LastEvaluatedKey ? { items, cursor: encodeCursor(page.LastEvaluatedKey) } : { items };
  }

  async ofPosition(organizationFiscalCode: string, iupd: string, limit: number): Promise<DeliveryRecord[]> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': positionDeliveriesGsi(organizationFiscalCode, iupd) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (page.Items ?? []).filter((i) => i['type'] === 'webhook-delivery').map(toDelivery);
  }
}

function toSubscriber(item: Record<string, unknown>): WebhookSubscriberWithSecret {
  return { ...(item['subscriber'] as Omit<WebhookSubscriberWithSecret, 'secret'>), secret: String(item['secret']) };
}

function toDelivery(item: Record<string, unknown>): DeliveryRecord {
  const optional = <T>(key: string): T | undefined => (item[key] === undefined ? undefined : (item[key] as T));
  return {
    eventId: String(item['eventId']),
    eventType: String(item['eventType']),
    subscriberId: String(item['subscriberId']),
    attempts: Number(item['attempts'] ?? 0),
    status: item['status'] as DeliveryRecord['status'],
    ...(optional<number>('lastStatusCode') !== undefined ? { lastStatusCode: optional<number>('lastStatusCode') } : {}),
    ...(optional<string>('lastError') !== undefined ? { lastError: optional<string>('lastError') } : {}),
    firstAttemptAt: String(item['firstAttemptAt']),
    lastAttemptAt: String(item['lastAttemptAt']),
    ...(optional<string>('deliveredAt') !== undefined ? { deliveredAt: optional<string>('deliveredAt') } : {}),
    ...(item['redelivery'] !== undefined ? { redelivery: item['redelivery'] as NonNullable<DeliveryRecord['redelivery']> } : {}),
    redeliverable: typeof item['payload'] === 'string',
  };
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A cursor is only accepted for the listing it came from (no reading another tenant's index page). */
function decodeCursor(cursor: string, gsi1pk: string, pk: string): Record<string, unknown> | 'invalid' {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return 'invalid';
  }
  if (typeof key !== 'object' || key === null) return 'invalid';
  const k = key as Record<string, unknown>;
  const names = Object.keys(k).sort().join(',');
  if (names !== 'gsi1pk,gsi1sk,pk,sk' || k['gsi1pk'] !== gsi1pk || k['pk'] !== pk || Object.values(k).some((v) => typeof v !== 'string' || v === '')) return 'invalid';
  return k;
}
