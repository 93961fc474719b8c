import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { deleteDebtPosition } from '../../shared/use-cases/debt-positions';

/** DELETE /organizations/{organizationFiscalCode}/debtpositions/{iupd} — GPD answers 200 "OK" */
export const makeHandler = (rt: ApiRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    await deleteDebtPosition(rt, {
      organizationFiscalCode: request.caller.organization.fiscalCode,
      actor: request.caller.actor,
      iupd: request.pathParameters['iupd'] ?? '',
    });
    return json(200, 'OK');
  });

export const handler = makeHandler(createApiRuntime());
