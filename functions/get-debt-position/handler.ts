import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { toPositionResponse } from '../../shared/http/debt-position-mapping';
import { getDebtPosition } from '../../shared/use-cases/debt-positions';

/** GET /organizations/{organizationFiscalCode}/debtpositions/{iupd} */
export const makeHandler = (rt: ApiRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const position = await getDebtPosition(rt, request.caller.organization.fiscalCode, request.pathParameters['iupd'] ?? '');
    return json(200, toPositionResponse(position));
  });

export const handler = makeHandler(createApiRuntime());
