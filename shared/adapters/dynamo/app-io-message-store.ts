/**
 * The App IO message records in DynamoDB (the MessageRecordStore port): one item per message key
 * (organization, iupd, notice number, kind) that makes sending exactly-once — claimed with a
 * lease before IO is called, its outcome written only by the claim's owner.
 *
 *   item            pk                        sk
 *   io message      IOMSG#<ofc>#<iupd>         MSG#<nav>#<kind>
 */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { MessageKey } from '../../domain/app-io/messages';
import type { ClaimResult, MessageCounts, MessageOutcome, MessageRecord, MessageRecordStore } from '../../use-cases/app-io/ports';
import { isConditionFailure, queryAll } from './client';
import { IO_SK, ioMessageGsi, ioMessagePk } from './keys';

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
            '#createdAt = if_not_exists(#createdAt, :at), #updatedAt = :at, #g1pk = :g1pk, #g1sk = if_not_exists(#g1sk, :g1sk) ADD #attempts :one',
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
            '#g1pk': 'gsi1pk',
            '#g1sk': 'gsi1sk',
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
            // the tenant's messages by when they were first tried (the console's figures of a day)
            ':g1pk': ioMessageGsi(key.organizationFiscalCode),
            ':g1sk': `${at}#${key.iupd}#${key.nav}#${key.kind}`,
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

  async countSince(organizationFiscalCode: string, from: string): Promise<MessageCounts> {
    const counts: Record<string, number> = {};
    const items = queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :from',
      ExpressionAttributeValues: { ':pk': ioMessageGsi(organizationFiscalCode), ':from': from },
      ProjectionExpression: '#state, #channel',
      ExpressionAttributeNames: { '#state': 'state', '#channel': 'channel' },
    });
    for await (const item of items) {
      const state = String(item['state']);
      const bucket = state === 'sent' ? (item['channel'] === 'email' ? 'email' : 'io') : state === 'claimed' || state === 'retry' ? 'pending' : state;
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    return { io: counts['io'] ?? 0, email: counts['email'] ?? 0, skipped: counts['skipped'] ?? 0, failed: counts['failed'] ?? 0, pending: counts['pending'] ?? 0 };
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
