import { positionsRoot, type GpdApi } from '../../shared/composition/positions';
import { multipleIupdsSchema } from '../../shared/http/gpd-operation-schemas';
import { DEBT_POSITION_DELETED } from '../../shared/http/gpd-operation-mapping';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { deleteManyDebtPositions } from '../../shared/use-cases/debt-positions/bulk';

/** v2 DELETE /organizations/{organizationFiscalCode}/debtpositions — GPD deleteMultipleDebtPositions */
export const makeHandler = (deps: GpdApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const body = parseWith(multipleIupdsSchema, request.body, 'body');
    await deleteManyDebtPositions(deps, { ...request.caller, iupds: body.paymentPositionIUPDs });
    return json(200, DEBT_POSITION_DELETED);
  });

export const handler = makeHandler(positionsRoot());
