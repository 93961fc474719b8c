/**
 * Migrations for a table written before some of its access patterns existed. All are idempotent
 * (a second run finds nothing to do) and safe while the layer runs; `npm run admin -- backfill`
 * runs them, locally or on AWS (--table).
 *
 * - Listing entries (position-listing.ts): every position item without them, or whose entries
 *   predate the debtor-name search (LIST#INS without the debtor's name), is put in its tenant's
 *   UNLISTED partition, then reconciled the way lists do it (listing entries, with the name's
 *   rotations, and counters written in one transaction per position, guarded by its version). A
 *   position changed meanwhile is reconciled by the next list, or by the next run.
 * - Receipts' position keys (position-receipts.ts): addPositionKeysToReceipts.
 */
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DebtPosition } from '../../domain/debt-position';
import { isConditionFailure } from './client';
import { LIST_SK, listGsi } from './keys';
import { PositionLists, type ListingState } from './position-listing';

export { addPositionKeysToReceipts } from './position-receipts';

/** Lists every position not listed yet; returns how many were reconciled. */
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
      if ((listed.Item?.['listing'] as ListingState | undefined)?.debtorName !== undefined) continue;
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
        if (!isConditionFailure(error)) throw error;
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
