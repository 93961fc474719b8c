import { positionsRoot, type CreatePositionApi } from '../../shared/composition/positions';
import { positionRuleProblems, toPositionContent, toPositionResponse } from '../../shared/http/debt-position-mapping';
import { createQuerySchema, paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { createDebtPosition } from '../../shared/use-cases/debt-positions/create';

/** POST /organizations/{organizationFiscalCode}/debtpositions?toPublish= */
export const makeHandler = (deps: CreatePositionApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { organization } = request.caller;
    const query = parseWith(createQuerySchema, request.query, 'query');
    const rules = positionRuleProblems({ organization, now: deps.clock(), requireFutureDueDates: true });
    const body = parseWith(paymentPositionSchema, request.body, 'debt position', rules);
    const position = await createDebtPosition(deps, {
      ...request.caller,
      iupd: body.iupd,
      content: toPositionContent(body),
      toPublish: query.toPublish ?? false,
    });
    return json(201, toPositionResponse(position));
  });

export const handler = makeHandler(positionsRoot());
