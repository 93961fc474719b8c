/**
 * Taking a receipt in, from the pagoPA node (paSendRT/V2, through the station) or from a
 * gateway's signed JSON webhook: answered at once, applied later by the receipt processor
 * (processing.ts) from the receipts queue, whose message body is the receipt as JSON
 * (events/receipt.ts).
 */
import type { Receipt } from '../../domain/receipt';
import type { DebtPositionStore, QueuePublisher } from '../ports';

export interface IntakeDeps {
  readonly positions: Pick<DebtPositionStore, 'findByNoticeNumber'>;
  readonly publisher: QueuePublisher;
  readonly receiptsQueueUrl: string;
}

export type IntakeOutcome =
  /** on the queue: the processor applies it (or keeps it as an anomaly) */
  | 'queued'
  /** this very receipt has been applied already: nothing queued, answer OK */
  | 'already-applied'
  /** a different receipt for an option already paid: PAA_RECEIPT_DUPLICATA / 409 */
  | 'duplicate-receipt';

/**
 * Takes a receipt in. Fast: one look-up of the option (to answer re-deliveries and duplicates as
 * pagoPA expects) and one send. The processor, not this read, guarantees exactly-once. Throws
 * when the queue did not take the receipt (the caller answers an error; the sender retries).
 */
export async function intakeReceipt(deps: IntakeDeps, receipt: Receipt): Promise<IntakeOutcome> {
  if (receipt.outcome === 'OK') {
    const position = await deps.positions.findByNoticeNumber(receipt.fiscalCode, receipt.noticeNumber);
    const option = position?.paymentOptions.find((o) => o.nav === receipt.noticeNumber);
    if (option?.payment?.receiptId === receipt.receiptId) return 'already-applied';
    if (option !== undefined && option.status !== 'PO_UNPAID') return 'duplicate-receipt';
  }
  const failed = await deps.publisher.send(deps.receiptsQueueUrl, [{ id: receipt.receiptId, body: JSON.stringify(receipt) }]);
  if (failed.length > 0) throw new Error('the receipts queue did not accept the receipt');
  return 'queued';
}
