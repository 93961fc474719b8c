import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { toPositionResponse } from '../../shared/http/debt-position-mapping';
import { publishDebtPosition } from '../../shared/use-cases/debt-positions';

/** POST /organizations/{organizationFiscalCode}/debtpositions/{iupd}/publish */
export const makeHandler = (rt: ApiRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const position = await publishDebtPosition(rt, {
      organizationFiscalCode: request.caller.organization.fiscalCode,
      actor: request.caller.actor,
      iupd: request.pathParameters['iupd'] ?? '',
    });
    return json(200, toPositionResponse(position));
  });

export const handler = makeHandler(createApiRuntime());
