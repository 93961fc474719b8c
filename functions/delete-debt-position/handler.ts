import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { DEBT_POSITION_DELETED } from '../../shared/http/gpd-operation-mapping';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { deleteDebtPosition } from '../../shared/use-cases/debt-positions/delete';

/** DELETE /organizations/{organizationFiscalCode}/debtpositions/{iupd} — GPD answers 200 with a sentence (a JSON string) */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { actor, organization } = request.caller;
    await deleteDebtPosition(deps, { organizationFiscalCode: organization.fiscalCode, actor, iupd: request.pathParameters['iupd'] ?? '' });
    return json(200, DEBT_POSITION_DELETED);
  });

export const handler = makeHandler(positionsRoot());
