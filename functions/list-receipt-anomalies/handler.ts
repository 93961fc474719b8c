import { receiptQueriesRoot, type ReceiptQueries } from '../../shared/composition/receipts';
import { receiptAnomalyQuerySchema, toAnomalyFilter } from '../../shared/http/receipt-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { listReceiptAnomalies } from '../../shared/use-cases/receipts/queries';

/** GET /organizations/{organizationFiscalCode}/receipts/anomalies?from=&to=&kind=&state=&limit=&cursor= */
export const makeHandler = (deps: ReceiptQueries) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { kind, state, ...window } = parseWith(receiptAnomalyQuerySchema, request.query, 'query');
    const page = await listReceiptAnomalies(deps, request.caller.organization.fiscalCode, window, toAnomalyFilter({ kind, state }));
    return json(200, { anomalies: page.items, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  });

export const handler = makeHandler(receiptQueriesRoot());
