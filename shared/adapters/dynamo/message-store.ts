/**
 * App IO messages in DynamoDB: the per-message records that make sending exactly-once (claim with
 * a lease, outcome written by the claim's owner), the tenants' saved templates, the per-service
 * rate windows, and the positions of a debtor (the citizen's dossier, GSI3).
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DebtPosition } from '../../domain/debt-position';
import type { MessageKey } from '../../domain/io-dispatch';
import { MESSAGE_KINDS, type MessageKind, type TenantMessageTemplates } from '../../domain/message-templates';
import type {
  ClaimResult,
  MessageOutcome,
  MessageRecord,
  MessageRecordStore,
  RateLimiter,
  TemplateStore,
} from '../../use-cases/citizen-messages';
import { isConditionFailure } from './client';
import { IO_SK, gsi, ioMessagePk, ioRatePk, orgPk } from './keys';

const keyOf = (k: MessageKey) => ({ pk: ioMessagePk(k.organizationFiscalCode, k.iupd), sk: IO_SK.message(k.nav, k.kind) });

export class DynamoMessageRecordStore implements MessageRecordStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: MessageKey, claimId: string, nowMs: number, leaseMs: number): Promise<ClaimResult> {
    const at = new Date(nowMs).toISOString();
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          // new, released for retry, or a claim whose lease ran out (the attempt crashed)
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :retry OR (#state = :claimed AND #lease < :now)',
          UpdateExpression:
            'SET #state = :claimed, #claimId = :claimId, #lease = :lease, #type = :type, #ofc = :ofc, #iupd = :iupd, #nav = :nav, #kind = :kind, ' +
            '#createdAt = if_not_exists(#createdAt, :at), #updatedAt = :at ADD #attempts :one',
          ExpressionAttributeNames: {
            '#state': 'state',
            '#claimId': 'claimId',
            '#lease': 'leaseUntil',
            '#type': 'type',
            '#ofc': 'organizationFiscalCode',
            '#iupd': 'iupd',
            '#nav': 'nav',
            '#kind': 'kind',
            '#createdAt': 'createdAt',
            '#updatedAt': 'updatedAt',
            '#attempts': 'attempts',
          },
          ExpressionAttributeValues: {
            ':retry': 'retry',
            ':claimed': 'claimed',
            ':now': nowMs,
            ':claimId': claimId,
            ':lease': nowMs + leaseMs,
            ':type': 'io-message',
            ':ofc': key.organizationFiscalCode,
            ':iupd': key.iupd,
            ':nav': key.nav,
            ':kind': key.kind,
            ':at': at,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', attempt: Number(result.Attributes?.['attempts'] ?? 1) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // the document client does not unmarshall the item carried by the error
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      const record = old ? toRecord(unmarshall(old)) : await this.get(key);
      if (!record) return this.claim(key, claimId, nowMs, leaseMs); // deleted meanwhile: try again
      if (record.state === 'claimed') return { kind: 'busy', leaseUntil: record.leaseUntil ?? nowMs };
      return { kind: 'final', record };
    }
  }

  async finish(key: MessageKey, claimId: string, outcome: MessageOutcome, nowMs: number): Promise<boolean> {
    const at = new Date(nowMs).toISOString();
    const names: Record<string, string> = { '#state': 'state', '#claimId': 'claimId', '#updatedAt': 'updatedAt', '#lease': 'leaseUntil' };
    const values: Record<string, unknown> = { ':state': outcome.state, ':mine': claimId, ':claimed': 'claimed', ':at': at };
    const sets = ['#state = :state', '#updatedAt = :at'];
    const fields: Array<[keyof MessageOutcome, string]> = [
      ['channel', 'channel'],
      ['serviceId', 'serviceId'],
      ['ioMessageId', 'ioMessageId'],
      ['detail', 'detail'],
      ['httpStatus', 'httpStatus'],
    ];
    for (const [field, attribute] of fields) {
      if (outcome[field] === undefined) continue;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = outcome[field];
      sets.push(`#${attribute} = :${attribute}`);
    }
    if (outcome.state === 'sent') {
      names['#sentAt'] = 'sentAt';
      sets.push('#sentAt = :at');
    }
    return this.conditional(key, `SET ${sets.join(', ')} REMOVE #lease`, names, values);
  }

  async release(key: MessageKey, claimId: string, detail: string, nowMs: number, httpStatus?: number): Promise<boolean> {
    const names: Record<string, string> = { '#state': 'state', '#claimId': 'claimId', '#updatedAt': 'updatedAt', '#lease': 'leaseUntil', '#detail': 'detail' };
    const values: Record<string, unknown> = { ':state': 'retry', ':mine': claimId, ':claimed': 'claimed', ':at': new Date(nowMs).toISOString(), ':detail': detail };
    let update = 'SET #state = :state, #updatedAt = :at, #detail = :detail';
    if (httpStatus !== undefined) {
      names['#httpStatus'] = 'httpStatus';
      values[':httpStatus'] = httpStatus;
      update += ', #httpStatus = :httpStatus';
    }
    return this.conditional(key, `${update} REMOVE #lease`, names, values);
  }

  async get(key: MessageKey): Promise<MessageRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keyOf(key), ConsistentRead: true }));
    return result.Item ? toRecord(result.Item) : undefined;
  }

  async ofPosition(organizationFiscalCode: string, iupd: string): Promise<MessageRecord[]> {
    const out: MessageRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': ioMessagePk(organizationFiscalCode, iupd), ':prefix': IO_SK.messagePrefix },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map(toRecord));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async conditional(key: MessageKey, update: string, names: Record<string, string>, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          // only the owner of a live claim writes the outcome
          ConditionExpression: '#state = :claimed AND #claimId = :mine',
          UpdateExpression: update,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function toRecord(item: Record<string, unknown>): MessageRecord {
  const s = (k: string) => (typeof item[k] === 'string' ? (item[k] as string) : undefined);
  const n = (k: string) => (typeof item[k] === 'number' ? (item[k] as number) : undefined);
  const optional = <T>(k: string, v: T | undefined) => (v === undefined ? {} : { [k]: v });
  return {
    organizationFiscalCode: s('organizationFiscalCode') ?? '',
    iupd: s('iupd') ?? '',
    nav: s('nav') ?? '',
    kind: (s('kind') ?? 'new-notice') as MessageRecord['kind'],
    state: (s('state') ?? 'claimed') as MessageRecord['state'],
    attempts: n('attempts') ?? 0,
    createdAt: s('createdAt') ?? '',
    updatedAt: s('updatedAt') ?? '',
    ...optional('claimId', s('claimId')),
    ...optional('leaseUntil', n('leaseUntil')),
    ...optional('channel', s('channel') as MessageRecord['channel']),
    ...optional('serviceId', s('serviceId')),
    ...optional('ioMessageId', s('ioMessageId')),
    ...optional('detail', s('detail')),
    ...optional('httpStatus', n('httpStatus')),
    ...optional('sentAt', s('sentAt')),
  };
}

// ---- templates ----------------------------------------------------------------------------

export class DynamoTemplateStore implements TemplateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(organizationFiscalCode: string): Promise<TenantMessageTemplates> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': orgPk(organizationFiscalCode), ':prefix': IO_SK.templatePrefix },
      }),
    );
    const out: Partial<Record<MessageKind, { subject: string; markdown: string }>> = {};
    for (const item of page.Items ?? []) {
      const kind = item['kind'];
      const template = item['template'] as { subject?: unknown; markdown?: unknown } | undefined;
      if ((MESSAGE_KINDS as readonly unknown[]).includes(kind) && typeof template?.subject === 'string' && typeof template.markdown === 'string') {
        out[kind as MessageKind] = { subject: template.subject, markdown: template.markdown };
      }
    }
    return out;
  }

  async put(organizationFiscalCode: string, kind: MessageKind, template: { subject: string; markdown: string }, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: orgPk(organizationFiscalCode),
          sk: IO_SK.template(kind),
          type: 'io-template',
          kind,
          template: { subject: template.subject, markdown: template.markdown },
          updatedAt: at,
        },
      }),
    );
  }
}

// ---- rate limit ---------------------------------------------------------------------------

/**
 * A per-service budget of IO calls per second shared by every concurrent Lambda: one item per
 * (service, second) counts the calls made in that second (atomic ADD, conditional on staying
 * within the budget). A caller over budget waits for the next second, up to `maxWaitMs`; then
 * the message goes back to the queue. One write per call, no read-modify-write race.
 */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { maxWaitMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> },
  ) {}

  async acquire(organizationFiscalCode: string, serviceId: string, ratePerSecond: number, count: number): Promise<boolean> {
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = now() + this.options.maxWaitMs;
    const limit = Math.max(1, Math.floor(ratePerSecond));
    for (;;) {
      const t = now();
      const second = Math.floor(t / 1000);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: ioRatePk(organizationFiscalCode, serviceId), sk: IO_SK.rateWindow(second) },
            UpdateExpression: 'ADD #used :n SET #type = :type, #expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(#used) OR #used <= :max',
            ExpressionAttributeNames: { '#used': 'used', '#type': 'type', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: { ':n': count, ':max': limit - count, ':type': 'io-rate', ':expires': second + 120 },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const nextWindow = (second + 1) * 1000;
      if (nextWindow > deadline) return false;
      // a little jitter so waiting callers do not all hit the next second's first millisecond
      await sleep(nextWindow - t + Math.floor(Math.random() * 50));
    }
  }
}

// ---- the dossier ---------------------------------------------------------------------------

/** A tenant's positions of one debtor (GSI3), oldest first, at most `limit`. */
export async function positionsOfDebtor(
  db: DynamoDBDocumentClient,
  tableName: string,
  organizationFiscalCode: string,
  fiscalCode: string,
  limit: number,
): Promise<DebtPosition[]> {
  const out: DebtPosition[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': gsi.byDebtor(organizationFiscalCode, fiscalCode) },
        ExclusiveStartKey: start,
        Limit: limit - out.length,
      }),
    );
    out.push(...(page.Items ?? []).map((i) => i['position'] as DebtPosition));
    start = page.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

/** A tenant's positions in a status whose first due date is in [from, to] (GSI2), page by page. */
export async function* positionsByStatusAndDueDate(
  db: DynamoDBDocumentClient,
  tableName: string,
  organizationFiscalCode: string,
  status: string,
  from: string,
  to: string,
): AsyncGenerator<DebtPosition[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': gsi.byStatus(organizationFiscalCode, status), ':from': from, ':to': `${to}\uffff` },
        ExclusiveStartKey: start,
      }),
    );
    yield (page.Items ?? []).map((i) => i['position'] as DebtPosition);
    start = page.LastEvaluatedKey;
  } while (start);
}
