/**
 * How a write of many positions (an upload's chunk, a reporting flow's report) keeps their audit
 * lines: ONE item of its transaction holds them all (the audit batch), and right after the
 * transaction they are written under their positions in batches (BatchWriteItem), each with the
 * key it would have had in the transaction (`AUDIT#<at>#<version>`, where the position's audit trail
 * reads it). A crash between the two leaves the positions written and their lines only in the
 * batch; the writer's retry finds those positions written by itself and writes their lines again
 * from it (restoreAuditLines: the same keys and content, nothing doubles).
 *
 * Why not every audit line in the transaction, as a single position's write does: on DynamoDB Local
 * a transactional item costs about three batched ones, and an audit line per position was a third
 * to a half of those bulk transactions (scripts/bench-report-writes.ts measures it).
 *
 *   item          pk                       sk                                 TTL
 *   audit batch   AUDITS#<ofc>#<writer>    B#<first iupd>#<its version 8>      30 days
 *
 * `writer` names the writing run, the same for its retries: `fdr:<flow>:<psp>:<revision>`,
 * `upload:<fileId>:<chunk>`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../use-cases/ports';
import { batchWriteAll, queryItems, type WriteRequest } from './client';
import { auditItem } from './outbox';

/** Longer than any retry of the writer (queue and DLQ retention: 14 days at most). */
const AUDIT_BATCH_TTL_SECONDS = 30 * 24 * 3600;

export interface PositionAudit {
  readonly iupd: string;
  readonly audit: AuditEntry;
}

export const auditBatchPk = (ofc: string, writer: string): string => `AUDITS#${ofc}#${writer}`;
const auditBatchSk = (iupd: string, version: number): string => `B#${iupd}#${String(version).padStart(8, '0')}`;

/** The audit batch of one transaction (unconditional: keyed by a position and the version this transaction writes, it is written once). */
export function auditBatchPut(tableName: string, ofc: string, writer: string, audits: readonly PositionAudit[]) {
  const first = audits[0];
  if (!first) throw new Error('an audit batch holds at least one audit line');
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk: auditBatchPk(ofc, writer),
        sk: auditBatchSk(first.iupd, first.audit.version),
        type: 'audit-batch',
        audits,
        expiresAt: Math.floor(Date.parse(first.audit.at) / 1000) + AUDIT_BATCH_TTL_SECONDS,
      },
    },
  };
}

/** The audit lines under their positions, as batch write requests. */
export function auditLineRequests(ofc: string, audits: readonly PositionAudit[]): WriteRequest[] {
  return audits.map(({ iupd, audit }) => ({ PutRequest: { Item: auditItem({ organizationFiscalCode: ofc, iupd }, audit) } }));
}

/** The audit lines `writer` kept in its batches for these positions, written again under them; answers how many. */
export async function restoreAuditLines(db: DynamoDBDocumentClient, tableName: string, ofc: string, writer: string, iupds: readonly string[]): Promise<number> {
  const wanted = new Set(iupds);
  const batches = await queryItems(db, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': auditBatchPk(ofc, writer) }, ConsistentRead: true });
  const audits = batches.flatMap((b) => (b['audits'] as PositionAudit[]).filter((a) => wanted.has(a.iupd)));
  await batchWriteAll(db, tableName, auditLineRequests(ofc, audits));
  return audits.length;
}
