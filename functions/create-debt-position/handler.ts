import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { createQuerySchema, paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import { toPositionResponse } from '../../shared/http/debt-position-mapping';
import { createDebtPosition } from '../../shared/use-cases/debt-positions';

/** POST /organizations/{organizationFiscalCode}/debtpositions?toPublish= */
export const makeHandler = (rt: ApiRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const query = parseWith(createQuerySchema, request.query, 'query');
    const body = parseWith(paymentPositionSchema, request.body, 'debt position');
    const position = await createDebtPosition(rt, {
      organization: request.caller.organization,
      actor: request.caller.actor,
      body,
      toPublish: query.toPublish ?? false,
    });
    return json(201, toPositionResponse(position));
  });

export const handler = makeHandler(createApiRuntime());
