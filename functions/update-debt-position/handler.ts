import { positionsRoot, type PositionsApi } from '../../shared/composition/positions';
import { positionRuleProblems, requireSameIupd, toPositionContent, toPositionResponse } from '../../shared/http/debt-position-mapping';
import { createQuerySchema, paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { updateDebtPosition } from '../../shared/use-cases/debt-positions/update';

/** PUT /organizations/{organizationFiscalCode}/debtpositions/{iupd}?toPublish= — GPD: the position is a DRAFT again unless toPublish */
export const makeHandler = (deps: PositionsApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const query = parseWith(createQuerySchema, request.query, 'query');
    const rules = positionRuleProblems({ organization: request.caller.organization, now: deps.clock(), requireFutureDueDates: true });
    const body = parseWith(paymentPositionSchema, request.body, 'debt position', rules);
    const iupd = request.pathParameters['iupd'] ?? '';
    requireSameIupd(iupd, body);
    const content = toPositionContent(body);
    const position = await updateDebtPosition(deps, { ...request.caller, iupd, content, toPublish: query.toPublish ?? false });
    return json(200, toPositionResponse(position));
  });

export const handler = makeHandler(positionsRoot());
