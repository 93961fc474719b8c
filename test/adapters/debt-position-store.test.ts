/**
 * The DynamoDB store's translation of DynamoDB answers, with the SDK mocked: which failed
 * condition becomes which conflict, what a transaction contains, how pages are numbered.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../../shared/adapters/dynamo/debt-position-store';
import { SqsQueuePublisher } from '../../shared/adapters/queue-publisher';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AuditEntry } from '../../shared/use-cases/ports';
import type { DomainEvent } from '../../events/domain-events';
import { option, position } from '../fixtures/positions';

const db = mockClient(DynamoDBDocumentClient);
const store = new DynamoDebtPositionStore(createDocumentClient(), 'table');
const actor = { organizationFiscalCode: '80001234568', keyId: 'k1', requestId: 'r1' };
const audit: AuditEntry = { at: '2026-11-27T10:00:00.000Z', action: 'create', actor, version: 1, toStatus: 'DRAFT' };
const event: DomainEvent = {
  eventId: '0b8f8f2e-6a3b-4c1d-9d42-3f0e7f6c1a11',
  eventType: 'debt-position.created',
  occurredAt: '2026-11-27T10:00:00.000Z',
  organizationFiscalCode: '80001234568',
  iupd: 'TARI-2026-0001',
  version: 1,
  status: 'DRAFT',
  payable: false,
  noticeNumbers: ['312000000000000119'],
};

function cancelled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => db.reset());

describe('DynamoDebtPositionStore', () => {
  it('writes position, one lock per IUV, audit, event, listing entries and a counter in one transaction, with the event id as idempotency token', async () => {
    db.on(TransactWriteCommand).resolves({});
    const p = position({ paymentOptions: [option({}, 1n), option({}, 2n)] });
    expect(await store.create(p, audit, [event])).toBeUndefined();
    const input = db.commandCalls(TransactWriteCommand)[0]!.args[0].input;
    const kinds = input.TransactItems!.map((i) => i.Put?.Item?.['type'] ?? i.Update?.Key?.['sk']);
    expect(kinds.slice(0, 5)).toEqual(['position', 'iuv', 'iuv', 'audit', 'event']);
    expect(input.TransactItems!.slice(0, 5).every((i) => i.Put?.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
    expect(kinds.slice(5, -1).every((k) => k === 'listing')).toBe(true);
    expect(String(kinds.at(-1))).toMatch(/^POSCOUNT#\d{2}$/);
    expect(input.TransactItems!.at(-1)!.Update!.UpdateExpression).toMatch(/^ADD /);
    expect(input.ClientRequestToken).toBe(event.eventId);
  });

  it('maps a failed condition on the position to an iupd conflict and on a lock to that IUV', async () => {
    const p = position({ paymentOptions: [option({}, 1n), option({}, 2n)] });
    db.on(TransactWriteCommand)
      .rejectsOnce(cancelled(['ConditionalCheckFailed', 'None', 'None', 'None', 'None']))
      .rejectsOnce(cancelled(['None', 'None', 'ConditionalCheckFailed', 'None', 'None']));
    expect(await store.create(p, audit, [event])).toEqual({ conflict: 'iupd' });
    expect(await store.create(p, audit, [event])).toEqual({ conflict: 'iuv', iuv: p.paymentOptions[1]!.iuv });
  });

  it('maps a stale version on replace to a version conflict, and rethrows anything else', async () => {
    db.on(TransactWriteCommand)
      .rejectsOnce(cancelled(['ConditionalCheckFailed', 'None', 'None']))
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    expect(await store.replace(position({ version: 2 }), 1, audit, [event], [])).toEqual({ conflict: 'version' });
    await expect(store.replace(position({ version: 2 }), 1, audit, [event], [])).rejects.toThrow('throttled');
  });

  it('tries a transaction cancelled by a concurrent one again, with a fresh token, and reports a lasting conflict as 409', async () => {
    db.on(TransactWriteCommand)
      .rejectsOnce(cancelled(['None', 'TransactionConflict', 'None', 'None']))
      .resolvesOnce({});
    const p = position();
    expect(await store.create(p, audit, [event])).toBeUndefined();
    const calls = db.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBe(event.eventId);
    expect(calls[1]).not.toBe(event.eventId);

    db.reset();
    db.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None', 'None']));
    expect(await store.replace(position({ version: 2 }), 1, audit, [event], [])).toEqual({ conflict: 'version' });
    expect(db.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });

  it('hands out consecutive IUV bases ending at the counter value', async () => {
    db.on(UpdateCommand).resolves({ Attributes: { next: 42 } });
    expect(await store.allocateIuvBases('80001234568', 3)).toEqual([40n, 41n, 42n]);
    expect(db.commandCalls(UpdateCommand)[0]!.args[0].input.UpdateExpression).toContain('ADD');
    expect(await store.allocateIuvBases('80001234568', 0)).toEqual([]);
  });

  it('refuses to hand out bases beyond 13 digits', async () => {
    db.on(UpdateCommand).resolves({ Attributes: { next: 10_000_000_000_000 } });
    await expect(store.allocateIuvBases('80001234568', 1)).rejects.toThrow(/exhausted/);
  });

  it('answers a page from the counters and the listing entries, then reads its positions in one BatchGetItem', async () => {
    db.on(QueryCommand, { IndexName: 'gsi1', ExpressionAttributeValues: { ':pk': 'ORG#80001234568#UNLISTED' } }).resolves({ Items: [] });
    db.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'ORG#80001234568', ':prefix': 'POSCOUNT#' } }).resolves({
      Items: [{ n_VALID: 4 }, { n_VALID: 2, n_DRAFT: 1 }],
    });
    db.on(QueryCommand, { IndexName: 'gsi1', Limit: 5, ProjectionExpression: 'pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk' }).resolves({ Count: 5, LastEvaluatedKey: { pk: 'after-5' } });
    db.on(QueryCommand, { ExclusiveStartKey: { pk: 'after-5' }, ProjectionExpression: 'iupd' }).resolves({ Count: 2, Items: [{ iupd: 'six' }, { iupd: 'seven' }] });
    db.on(BatchGetCommand).resolves({ Responses: { table: [{ position: position({ iupd: 'seven' }) }, { position: position({ iupd: 'six' }) }] } });
    const page = await store.list('80001234568', { page: 1, limit: 5, orderBy: 'INSERTED_DATE', descending: true });
    expect(page).toMatchObject({ kind: 'page', total: 7 });
    expect(page.kind === 'page' && page.items.map((p) => p.iupd)).toEqual(['six', 'seven']);
    const walk = db.commandCalls(QueryCommand).find((c) => c.args[0].input.Limit === 5)!.args[0].input;
    expect(walk).toMatchObject({ IndexName: 'gsi1', ScanIndexForward: false, ExpressionAttributeValues: { ':pk': 'ORG#80001234568#L#INS' } });
    // no COUNT of the index partition
    expect(db.commandCalls(QueryCommand).some((c) => c.args[0].input.Select === 'COUNT')).toBe(false);
  });
});

describe('SqsQueuePublisher', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());

  it('sends in batches of 10 and reports exactly the messages SQS did not accept', async () => {
    sqs.on(SendMessageBatchCommand).resolvesOnce({ Successful: [], Failed: [{ Id: 'm3', SenderFault: false, Code: 'x' }] }).resolves({});
    const messages = Array.from({ length: 12 }, (_, i) => ({ id: `rec-${i}`, body: `{"n":${i}}` }));
    const failed = await new SqsQueuePublisher(new SQSClient({})).send('https://queue', messages);
    expect(failed).toEqual(['rec-3']);
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 2]);
  });

  it('reports a whole batch as failed when the call itself fails', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('network'));
    const failed = await new SqsQueuePublisher(new SQSClient({})).send('https://queue', [{ id: 'a', body: '{}' }, { id: 'b', body: '{}' }]);
    expect(failed).toEqual(['a', 'b']);
  });
});
