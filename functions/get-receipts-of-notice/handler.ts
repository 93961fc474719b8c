import { createReceiptRuntime, type ReceiptRuntime } from '../../shared/receipts-composition';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { iuvPathSchema } from '../../shared/http/receipt-schemas';
import { getReceiptsOfNotice } from '../../shared/use-cases/receipts';

/** GET /organizations/{organizationFiscalCode}/receipts/{iuv}: the receipts of one notice (IUV) */
export const makeHandler = (rt: ReceiptRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const { iuv } = parseWith(iuvPathSchema, { iuv: request.pathParameters['iuv'] }, 'iuv');
    const receipts = await getReceiptsOfNotice(rt, request.caller.organization.fiscalCode, iuv);
    const applied = receipts.find((r) => r.state === 'APPLIED');
    return json(200, { iuv, ...(applied ? { paidBy: applied.receiptId } : {}), receipts });
  });

export const handler = makeHandler(createReceiptRuntime());
