import { positionsRoot, type GpdApi } from '../../shared/composition/positions';
import { bulkRuleProblems, toBulkPositions } from '../../shared/http/gpd-operation-mapping';
import { bulkQuerySchema, multiplePositionsSchema } from '../../shared/http/gpd-operation-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { updateManyDebtPositions } from '../../shared/use-cases/debt-positions/bulk';

/** v2 PUT /organizations/{organizationFiscalCode}/debtpositions?toPublish= — GPD updateMultiplePositions: 200, no body */
export const makeHandler = (deps: GpdApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { organization } = request.caller;
    const query = parseWith(bulkQuerySchema, request.query, 'query');
    const rules = bulkRuleProblems({ organization, now: deps.clock(), requireFutureDueDates: true });
    const body = parseWith(multiplePositionsSchema, request.body, 'body', rules);
    await updateManyDebtPositions(deps, { ...request.caller, positions: toBulkPositions(body), toPublish: query.toPublish ?? false });
    return json(200, undefined);
  });

export const handler = makeHandler(positionsRoot());
