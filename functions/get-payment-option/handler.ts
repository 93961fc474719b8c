import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { toOptionResponse, toPositionResponse } from '../../shared/http/debt-position-mapping';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { getByNoticeNumber } from '../../shared/use-cases/debt-positions/queries';

/** GET /organizations/{organizationFiscalCode}/paymentoptions/{nav} */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { position, option } = await getByNoticeNumber(deps, request.caller.organization.fiscalCode, request.pathParameters['nav'] ?? '');
    return json(200, { paymentOption: toOptionResponse(position, option), debtPosition: toPositionResponse(position) });
  });

export const handler = makeHandler(positionsRoot());
