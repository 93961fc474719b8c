/**
 * Reads of debt positions through the table's secondary indexes, for the App IO reminders and
 * the citizen's dossier (the PositionsDue and DebtorPositions ports):
 *   gsi2  a tenant's positions by status, then first due date (the reminder run)
 *   gsi3  a tenant's positions of one debtor (the dossier)
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DebtPosition } from '../../domain/debt-position';
import type { DebtorPositions } from '../../use-cases/dossier/ports';
import { gsi } from './keys';

export class DynamoPositionIndexes implements DebtorPositions {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A tenant's positions of one debtor (GSI3), oldest first, at most `limit`. */
  async ofDebtor(organizationFiscalCode: string, fiscalCode: string, limit: number): Promise<DebtPosition[]> {
    const out: DebtPosition[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
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
