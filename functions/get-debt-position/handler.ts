import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { toPositionResponse } from '../../shared/http/debt-position-mapping';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { getDebtPosition } from '../../shared/use-cases/debt-positions/queries';

/** GET /organizations/{organizationFiscalCode}/debtpositions/{iupd} */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const position = await getDebtPosition(deps, request.caller.organization.fiscalCode, request.pathParameters['iupd'] ?? '');
    return json(200, toPositionResponse(position));
  });

export const handler = makeHandler(positionsRoot());
