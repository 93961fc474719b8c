import { createReceiptRuntime, type ReceiptRuntime } from '../../shared/receipts-composition';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { receiptWindowQuerySchema } from '../../shared/http/receipt-schemas';
import { listReceiptAnomalies } from '../../shared/use-cases/receipts';

/** GET /organizations/{organizationFiscalCode}/receipts/anomalies?from=&to=&limit=&cursor= */
export const makeHandler = (rt: ReceiptRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const query = parseWith(receiptWindowQuerySchema, request.query, 'query');
    const page = await listReceiptAnomalies(rt, request.caller.organization.fiscalCode, query);
    return json(200, { anomalies: page.items, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  });

export const handler = makeHandler(createReceiptRuntime());
