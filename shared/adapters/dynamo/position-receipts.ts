/**
 * The receipts of a position, for the citizen's dossier (the PositionReceipts port), in ONE
 * Query per position however many options it has.
 *
 * A receipt item lives in its notice's partition (`RCPT#<ofc>#<iuv>`, keys.ts "Receipts"); the
 * receipt store also gives every receipt recorded against a position (applied, or outcome KO
 * with the position known) the keys of a sparse entry of GSI3, which holds the debtors'
 * positions under other partition keys:
 *
 *   item       gsi3pk                              gsi3sk
 *   receipt    ORG#<ofc>#POS#<iupd>#RECEIPTS       <recordedAt>#<iuv>#<receiptId>
 *
 * (an iupd never contains '#', IUPD_PATTERN). Receipt items stored before these keys were
 * written get them from `addPositionKeysToReceipts` (one scan, idempotent).
 */
import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PositionReceipts } from '../../use-cases/dossier/ports';
import type { StoredReceipt } from '../../use-cases/receipts/ports';
import { isConditionFailure, queryItems } from './client';

export const positionReceiptsGsi = (ofc: string, iupd: string): string => `ORG#${ofc}#POS#${iupd}#RECEIPTS`;

/** The GSI3 attributes of a receipt item; undefined when the receipt was not recorded against a position. */
export function positionReceiptKeys(stored: StoredReceipt): { gsi3pk: string; gsi3sk: string } | undefined {
  if (stored.iupd === undefined || stored.iupd === '') return undefined;
  return {
    gsi3pk: positionReceiptsGsi(stored.organizationFiscalCode, stored.iupd),
    gsi3sk: `${stored.recordedAt}#${stored.iuv}#${stored.receiptId}`,
  };
}

export class DynamoPositionReceipts implements PositionReceipts {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async ofPosition(organizationFiscalCode: string, iupd: string): Promise<StoredReceipt[]> {
    // a position's receipts fit one page (1 MB) unless it was paid hundreds of times: queryItems pages for those
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': positionReceiptsGsi(organizationFiscalCode, iupd) },
    });
    return items.filter((i) => i['type'] === 'receipt').map((i) => i['stored'] as StoredReceipt);
  }
}

/**
 * Gives the receipt items written before the position keys existed their GSI3 attributes: a
 * scan of receipt items without `gsi3pk`, each updated only if it still has none. Safe to run
 * again, and while receipts arrive. Returns how many items it looked at and changed.
 */
export async function addPositionKeysToReceipts(db: DynamoDBDocumentClient, tableName: string): Promise<{ scanned: number; updated: number }> {
  let scanned = 0;
  let updated = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#type = :receipt AND attribute_not_exists(gsi3pk)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':receipt': 'receipt' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      scanned += 1;
      const stored = item['stored'] as StoredReceipt | undefined;
      const keys = stored ? positionReceiptKeys(stored) : undefined;
      if (keys === undefined) continue;
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: item['pk'], sk: item['sk'] },
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi3pk)',
            UpdateExpression: 'SET gsi3pk = :pk, gsi3sk = :sk',
            ExpressionAttributeValues: { ':pk': keys.gsi3pk, ':sk': keys.gsi3sk },
          }),
        );
        updated += 1;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { scanned, updated };
}
