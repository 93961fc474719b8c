import { positionsRoot, type CreatePositionApi } from '../../shared/composition/positions';
import { toPositionContent, toPositionResponse } from '../../shared/http/debt-position-mapping';
import { createQuerySchema, paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { createDebtPosition } from '../../shared/use-cases/debt-positions/create';

/** POST /organizations/{organizationFiscalCode}/debtpositions?toPublish= */
export const makeHandler = (deps: CreatePositionApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const query = parseWith(createQuerySchema, request.query, 'query');
    const body = parseWith(paymentPositionSchema, request.body, 'debt position');
    const position = await createDebtPosition(deps, {
      ...request.caller,
      iupd: body.iupd,
      content: toPositionContent(body),
      toPublish: query.toPublish ?? false,
    });
    return json(201, toPositionResponse(position));
  });

export const handler = makeHandler(positionsRoot());
