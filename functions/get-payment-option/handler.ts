import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { toOptionResponse, toPositionResponse } from '../../shared/http/debt-position-mapping';
import { getByNoticeNumber } from '../../shared/use-cases/debt-positions';

/** GET /organizations/{organizationFiscalCode}/paymentoptions/{nav} */
export const makeHandler = (rt: ApiRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const { position, option } = await getByNoticeNumber(
      rt,
      request.caller.organization.fiscalCode,
      request.pathParameters['nav'] ?? '',
    );
    return json(200, { paymentOption: toOptionResponse(position, option), debtPosition: toPositionResponse(position) });
  });

export const handler = makeHandler(createApiRuntime());
