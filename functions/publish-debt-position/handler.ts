import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { toPositionResponse } from '../../shared/http/debt-position-mapping';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { publishDebtPosition } from '../../shared/use-cases/debt-positions/transitions';

/** POST /organizations/{organizationFiscalCode}/debtpositions/{iupd}/publish */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { actor, organization } = request.caller;
    const position = await publishDebtPosition(deps, { organizationFiscalCode: organization.fiscalCode, actor, iupd: request.pathParameters['iupd'] ?? '' });
    return json(200, toPositionResponse(position));
  });

export const handler = makeHandler(positionsRoot());
