import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { listQuerySchema, toListQuery, toPositionsPage } from '../../shared/http/debt-position-list';
import { HttpProblem } from '../../shared/http/problem';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { listDebtPositions } from '../../shared/use-cases/debt-positions/list';

/** GET /organizations/{organizationFiscalCode}/debtpositions?page=&limit=&orderby=&ordering=&status=&due_date_from=… */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const query = toListQuery(parseWith(listQuerySchema, request.query, 'query'));
    const result = await listDebtPositions(deps, request.caller.organization.fiscalCode, query);
    if (result.kind === 'busy') {
      throw new HttpProblem(503, 'Service Unavailable', 'the page index of this list is being rebuilt; retry', undefined, {
        'retry-after': String(result.retryAfterSeconds),
      });
    }
    return json(200, toPositionsPage(query, result));
  });

export const handler = makeHandler(positionsRoot());
