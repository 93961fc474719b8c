import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { toPaymentWithDebtor } from '../../shared/http/gpd-operation-mapping';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { getByNoticeNumber } from '../../shared/use-cases/debt-positions/queries';

/** GET /organizations/{organizationFiscalCode}/paymentoptions/{nav} — GPD getOrganizationPaymentOptionByNAV (flat) */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { position, option } = await getByNoticeNumber(deps, request.caller.organization.fiscalCode, request.pathParameters['nav'] ?? '');
    return json(200, toPaymentWithDebtor(position, option));
  });

export const handler = makeHandler(positionsRoot());
