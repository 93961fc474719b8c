import { positionsRoot, type GpdApi } from '../../shared/composition/positions';
import { ibanReplacementAnswer } from '../../shared/http/gpd-operation-mapping';
import { MAX_IBAN_TRANSFERS, ibanReplacementQuerySchema, ibanReplacementSchema } from '../../shared/http/gpd-operation-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { replaceTransferIban } from '../../shared/use-cases/debt-positions/replace-iban';

/** PATCH /organizations/{organizationFiscalCode}/debtpositions/transfers?oldIban=&limit= — GPD updateTransferIbanMassive */
export const makeHandler = (deps: GpdApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const query = parseWith(ibanReplacementQuerySchema, request.query, 'query');
    const body = parseWith(ibanReplacementSchema, request.body, 'body');
    const updated = await replaceTransferIban(deps, {
      ...request.caller,
      oldIban: query.oldIban,
      newIban: body.newIban,
      limit: query.limit ?? MAX_IBAN_TRANSFERS,
    });
    return json(200, ibanReplacementAnswer(updated));
  });

export const handler = makeHandler(positionsRoot());
