/**
 * One-off migration for a table written before the listing entries (shared/adapters/dynamo/
 * position-listing.ts): every position item without them is put in its tenant's UNLISTED
 * partition, then reconciled the way lists do it (listing entries and counters written in one
 * transaction per position, guarded by its version). Idempotent: run it again and it finds
 * nothing to do. Safe while the layer runs (a position changed meanwhile is reconciled by the
 * next list, or by the next run).
 *
 *   npx tsx scripts/backfill-position-listing.ts --table <TableName> [--endpoint http://127.0.0.1:8000]
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { LIST_SK, listGsi } from '../shared/adapters/dynamo/keys';
import { PositionLists } from '../shared/adapters/dynamo/position-listing';
import type { DebtPosition } from '../shared/domain/debt-position';

export async function backfillPositionListing(db: DynamoDBDocumentClient, table: string, log: (line: string) => void = () => {}): Promise<number> {
  const tenants = new Set<string>();
  let marked = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: table, FilterExpression: '#t = :position', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':position': 'position' }, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      if (item['pending'] !== undefined) continue;
      const position = item['position'] as DebtPosition;
      const ofc = position.organizationFiscalCode;
      if (item['gsi1pk'] === listGsi.unlisted(ofc)) {
        tenants.add(ofc);
        continue;
      }
      const listed = await db.send(new GetCommand({ TableName: table, Key: { pk: item['pk'], sk: LIST_SK.ordered('INS') } }));
      if (listed.Item) continue;
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: item['pk'], sk: item['sk'] },
            UpdateExpression: 'SET gsi1pk = :unlisted, gsi1sk = :iupd',
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':unlisted': listGsi.unlisted(ofc), ':iupd': position.iupd, ':version': item['version'] },
          }),
        );
        marked++;
        tenants.add(ofc);
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const lists = new PositionLists(db, table);
  let reconciled = 0;
  for (const ofc of tenants) {
    for (;;) {
      const done = await lists.reconcile(ofc, 500);
      reconciled += done;
      if (done === 0) break;
    }
    log(`${ofc}: listed`);
  }
  log(`${marked} positions marked, ${reconciled} reconciled`);
  return reconciled;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { table: { type: 'string' }, endpoint: { type: 'string' } } });
  if (!values.table) {
    process.stderr.write('usage: backfill-position-listing --table <TableName> [--endpoint <url>]\n');
    process.exit(2);
  }
  const client = new DynamoDBClient(values.endpoint ? { endpoint: values.endpoint } : {});
  await backfillPositionListing(createDocumentClient(client), values.table, (line) => process.stdout.write(`${line}\n`));
  client.destroy();
}
