/**
 * Reads of debt positions through the table's secondary indexes, for the App IO reminders and
 * the citizen's dossier (the PositionsDue and DebtorPositions ports):
 *   gsi2  a tenant's positions by status, then first due date (the reminder run)
 *   gsi3  a tenant's positions of one debtor (the dossier)
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DebtPosition } from '../../domain/debt-position';
import type { DebtorPositionMark, DebtorPositionPage, DebtorPositions } from '../../use-cases/dossier/ports';
import { SK, gsi, positionPk } from './keys';

export class DynamoPositionIndexes implements DebtorPositions {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * A page of a tenant's positions of one debtor (GSI3, key `<insertedDate>#<iupd>`), newest
   * first. One Query (more only when DynamoDB stops at 1 MB before `limit + 1` items); the extra
   * item only tells whether positions follow, so the last page has no cursor.
   */
  async ofDebtor(
    organizationFiscalCode: string,
    fiscalCode: string,
    page: { readonly limit: number; readonly after?: DebtorPositionMark },
  ): Promise<DebtorPositionPage> {
    const want = page.limit + 1;
    const found: DebtPosition[] = [];
    let start = page.after ? debtorIndexKey(organizationFiscalCode, fiscalCode, page.after) : undefined;
    do {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': gsi.byDebtor(organizationFiscalCode, fiscalCode) },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: want - found.length,
        }),
      );
      found.push(...(result.Items ?? []).map((i) => i['position'] as DebtPosition));
      start = result.LastEvaluatedKey;
    } while (start && found.length < want);
    return { positions: found.slice(0, page.limit), more: found.length > page.limit };
  }

  /** A tenant's positions in a status whose first due date is in [from, to] (GSI2), page by page. */
  async *dueBetween(organizationFiscalCode: string, status: string, from: string, to: string): AsyncGenerator<DebtPosition[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
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
}

/**
 * The GSI3 key of the debtor's position at `mark`, to go on after it: the partition is the
 * tenant's and debtor's of the request, whatever the mark says.
 */
function debtorIndexKey(organizationFiscalCode: string, fiscalCode: string, mark: DebtorPositionMark): Record<string, unknown> {
  return {
    pk: positionPk(organizationFiscalCode, mark.iupd),
    sk: SK.position,
    gsi3pk: gsi.byDebtor(organizationFiscalCode, fiscalCode),
    gsi3sk: `${mark.insertedDate}#${mark.iupd}`,
  };
}
