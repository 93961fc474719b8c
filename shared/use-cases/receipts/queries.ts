/** What the back office reads back: receipts and anomalies by time window, the receipts of a notice. */
import { UseCaseError } from '../errors';
import type { ReceiptAnomaly, ReceiptPage, ReceiptStore, ReceiptWindow, StoredReceipt } from './ports';

export interface ReceiptQueryDeps {
  readonly receipts: Pick<ReceiptStore, 'list' | 'listAnomalies' | 'receiptsOf'>;
}

const invalidCursor = (): UseCaseError =>
  new UseCaseError('invalid', 'the cursor is not valid for this list', [{ field: 'cursor', message: 'use the cursor of the previous page as is' }]);

export async function listReceipts(deps: ReceiptQueryDeps, organizationFiscalCode: string, window: ReceiptWindow): Promise<ReceiptPage<StoredReceipt>> {
  const page = await deps.receipts.list(organizationFiscalCode, window);
  if (page === undefined) throw invalidCursor();
  return page;
}

export async function listReceiptAnomalies(
  deps: ReceiptQueryDeps,
  organizationFiscalCode: string,
  window: ReceiptWindow,
): Promise<ReceiptPage<ReceiptAnomaly>> {
  const page = await deps.receipts.listAnomalies(organizationFiscalCode, window);
  if (page === undefined) throw invalidCursor();
  return page;
}

export interface ReceiptsOfNotice {
  /** oldest first */
  readonly receipts: StoredReceipt[];
  /** the receipt that paid the notice, if one did */
  readonly paidBy?: string;
}

export async function getReceiptsOfNotice(deps: ReceiptQueryDeps, organizationFiscalCode: string, iuv: string): Promise<ReceiptsOfNotice> {
  const receipts = await deps.receipts.receiptsOf(organizationFiscalCode, iuv);
  if (receipts.length === 0) throw new UseCaseError('not-found', `no receipt for IUV ${iuv}`);
  const applied = receipts.find((r) => r.state === 'APPLIED');
  return applied ? { receipts, paidBy: applied.receiptId } : { receipts };
}
