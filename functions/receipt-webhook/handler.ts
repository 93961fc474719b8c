import { receiptWebhookRoot, type ReceiptWebhook } from '../../shared/composition/receipts';
import { conflict } from '../../shared/http/problem';
import { receiptWebhookRoute } from '../../shared/http/receipt-webhook-edge';
import { json } from '../../shared/http/rest-edge';
import { intakeReceipt } from '../../shared/use-cases/receipts/intake';

/**
 * POST /receipts: a receipt in pagoPA's JSON model, signed with one of the creditor's webhook
 * secrets (X-Receipt-Signature). 202 queued, 200 already applied, 409 another receipt paid it.
 */
export const makeHandler = (deps: ReceiptWebhook) =>
  receiptWebhookRoute(deps, async (receipt) => {
    const outcome = await intakeReceipt(deps, receipt);
    if (outcome === 'duplicate-receipt') throw conflict(`notice ${receipt.noticeNumber} was paid by another receipt`);
    return json(outcome === 'queued' ? 202 : 200, { outcome, receiptId: receipt.receiptId });
  });

export const handler = makeHandler(receiptWebhookRoot());
