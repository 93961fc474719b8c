import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { deleteDebtPosition } from '../../shared/use-cases/debt-positions/delete';

/** DELETE /organizations/{organizationFiscalCode}/debtpositions/{iupd} — GPD answers 200 "OK" */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { actor, organization } = request.caller;
    await deleteDebtPosition(deps, { organizationFiscalCode: organization.fiscalCode, actor, iupd: request.pathParameters['iupd'] ?? '' });
    return json(200, 'OK');
  });

export const handler = makeHandler(positionsRoot());
