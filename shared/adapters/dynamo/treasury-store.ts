/**
 * Treasury movements in DynamoDB (keys: reporting-flow-keys.ts): one partition per tenant,
 * sorted by value date; a movement is written once (its bank reference: a MOVID# pointer holds its
 * value date, so a movement id is taken once whatever the dates of a later statement), and a credit
 * that names a flow not known yet leaves a pointer in the flow's partition for the acquisition to find.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FlowKey, MovementState, Page, StoredFlow, TreasuryMovement, TreasuryStore } from '../../use-cases/reconciliation/ports';
import { failedConditions, isConditionFailure, queryItems } from './client';
import { flowPk, flowSk, movementIdSk, movementSk, openCreditSk, treasuryPk } from './reporting-flow-keys';

export class DynamoTreasuryStore implements TreasuryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putMovement(movement: TreasuryMovement): Promise<boolean> {
    const pointer = { pk: treasuryPk(movement.organizationFiscalCode), sk: movementIdSk(movement.movementId), type: 'treasury-movement-id', valueDate: movement.valueDate };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: pointer, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: item(movement), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if ((failedConditions(error)?.length ?? 0) > 0) return false;
      throw error;
    }
  }

  async movement(ofc: string, movementId: string): Promise<TreasuryMovement | undefined> {
    const pointer = (await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: treasuryPk(ofc), sk: movementIdSk(movementId) }, ConsistentRead: true }))).Item;
    if (!pointer) return undefined;
    const found = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: treasuryPk(ofc), sk: movementSk(String(pointer['valueDate']), movementId) }, ConsistentRead: true }));
    return found.Item?.['movement'] as TreasuryMovement | undefined;
  }

  async updateMovement(movement: TreasuryMovement): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item(movement) }));
    if (movement.flowId === undefined) return;
    const pointer = { pk: flowPk(movement.organizationFiscalCode, movement.flowId), sk: openCreditSk(movement.movementId) };
    if (movement.state === 'OPEN') {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...pointer, type: 'treasury-open-credit', movement } }));
    } else {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: pointer }));
    }
  }

  async listMovements(
    ofc: string,
    query: { from?: string; to?: string; state?: MovementState; limit: number; cursor?: string },
  ): Promise<Page<TreasuryMovement> | undefined> {
    let start: Record<string, unknown> | undefined;
    if (query.cursor !== undefined) {
      try {
        start = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      if (typeof start !== 'object' || start === null || start['pk'] !== treasuryPk(ofc)) return undefined;
    }
    const items: TreasuryMovement[] = [];
    let cursor: string | undefined;
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': treasuryPk(ofc), ':from': `MOV#${query.from ?? '0000'}`, ':to': `MOV#${query.to ?? '9999'}\uffff` },
          ExclusiveStartKey: start,
          Limit: query.limit,
        }),
      );
      cursor = undefined;
      for (const i of r.Items ?? []) {
        const m = i['movement'] as TreasuryMovement;
        if (query.state !== undefined && m.state !== query.state) continue;
        items.push(m);
        if (items.length === query.limit) {
          cursor = Buffer.from(JSON.stringify({ pk: i['pk'], sk: i['sk'] })).toString('base64url');
          break;
        }
      }
      start = r.LastEvaluatedKey;
    } while (start && items.length < query.limit);
    return { items, ...(cursor ? { cursor } : {}) };
  }

  async openMovementsFor(ofc: string, flowId: string): Promise<TreasuryMovement[]> {
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': flowPk(ofc, flowId), ':p': 'TREASURY#' },
      ConsistentRead: true,
    });
    return items.map((i) => i['movement'] as TreasuryMovement);
  }

  async creditFlow(key: FlowKey, treasury: NonNullable<StoredFlow['treasury']>): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: flowPk(key.organizationFiscalCode, key.flowId), sk: flowSk(key.pspId, key.revision) },
        UpdateExpression: 'SET #f.#t = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#f': 'flow', '#t': 'treasury' },
        ExpressionAttributeValues: { ':t': treasury },
      }),
    );
  }

  async uncreditFlow(key: FlowKey, movementId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: flowPk(key.organizationFiscalCode, key.flowId), sk: flowSk(key.pspId, key.revision) },
          UpdateExpression: 'REMOVE #f.#t',
          ConditionExpression: '#f.#t.#m = :m',
          ExpressionAttributeNames: { '#f': 'flow', '#t': 'treasury', '#m': 'movementId' },
          ExpressionAttributeValues: { ':m': movementId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function item(m: TreasuryMovement): Record<string, unknown> {
  return { pk: treasuryPk(m.organizationFiscalCode), sk: movementSk(m.valueDate, m.movementId), type: 'treasury-movement', movement: m };
}
