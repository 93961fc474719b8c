import { receiptQueriesRoot, type ReceiptQueries } from '../../shared/composition/receipts';
import { iuvPathSchema } from '../../shared/http/receipt-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { getReceiptsOfNotice } from '../../shared/use-cases/receipts/queries';

/** GET /organizations/{organizationFiscalCode}/receipts/{iuv}: the receipts of one notice (IUV) */
export const makeHandler = (deps: ReceiptQueries) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { iuv } = parseWith(iuvPathSchema, { iuv: request.pathParameters['iuv'] }, 'iuv');
    const { receipts, paidBy } = await getReceiptsOfNotice(deps, request.caller.organization.fiscalCode, iuv);
    return json(200, { iuv, ...(paidBy !== undefined ? { paidBy } : {}), receipts });
  });

export const handler = makeHandler(receiptQueriesRoot());
