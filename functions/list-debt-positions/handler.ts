import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { toListQuery, toPositionsPage } from '../../shared/http/debt-position-mapping';
import { listQuerySchema } from '../../shared/http/debt-position-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { listDebtPositions } from '../../shared/use-cases/debt-positions/queries';

/** GET /organizations/{organizationFiscalCode}/debtpositions?page=&limit=&status=&due_date_from=&due_date_to= */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const query = toListQuery(parseWith(listQuerySchema, request.query, 'query'));
    const result = await listDebtPositions(deps, request.caller.organization.fiscalCode, query);
    return json(200, toPositionsPage(query, result));
  });

export const handler = makeHandler(positionsRoot());
