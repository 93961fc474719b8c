/**
 * Taking a receipt in, from the pagoPA node (paSendRT/V2, through the station) or from a
 * gateway's signed JSON webhook: answered at once, applied later by the receipt processor
 * (processing.ts) from the receipts queue, whose message body is the receipt as JSON
 * (events/receipt.ts).
 *
 * Nothing the sender is told was taken in can be lost: a receipt is queued only if it passes the
 * queue's contract (what the processor can read and store), and every receipt that moved money is
 * queued, also one the sender is refused (a different receipt for an option already paid: money
 * paid twice, which the processor keeps as an ALREADY_PAID anomaly, once, for the refund).
 */
import { receiptSchema } from '../../../events/receipt';
import type { Receipt } from '../../domain/receipt';
import { UseCaseError } from '../errors';
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
  /**
   * a different receipt for an option already paid: queued all the same (the processor records
   * it as an ALREADY_PAID anomaly, once per receiptId), answered PAA_RECEIPT_DUPLICATA / 409
   */
  | 'duplicate-receipt';

/**
 * Takes a receipt in. Fast: one look-up of the option (to answer re-deliveries and duplicates as
 * pagoPA expects) and one send. The processor, not this read, guarantees exactly-once. Throws
 * UseCaseError 'invalid' (naming every field) for a receipt the queue's contract refuses, before
 * anything is read or sent; throws an Error when the queue did not take the receipt (the caller
 * answers an error; the sender retries).
 */
export async function intakeReceipt(deps: IntakeDeps, receipt: Receipt): Promise<IntakeOutcome> {
  const contract = receiptSchema.safeParse(receipt);
  if (!contract.success) {
    const fields = contract.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(receipt)', message: i.message }));
    throw new UseCaseError('invalid', `the receipt cannot be taken in: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
  }
  let outcome: IntakeOutcome = 'queued';
  if (receipt.outcome === 'OK') {
    const position = await deps.positions.findByNoticeNumber(receipt.fiscalCode, receipt.noticeNumber);
    const option = position?.paymentOptions.find((o) => o.nav === receipt.noticeNumber);
    if (option?.payment?.receiptId === receipt.receiptId) return 'already-applied';
    if (option !== undefined && option.status !== 'PO_UNPAID') outcome = 'duplicate-receipt';
  }
  const failed = await deps.publisher.send(deps.receiptsQueueUrl, [{ id: receipt.receiptId, body: JSON.stringify(receipt) }]);
  if (failed.length > 0) throw new Error('the receipts queue did not accept the receipt');
  return outcome;
}
