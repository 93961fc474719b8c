import { positionsRoot, type GpdApi } from '../../shared/composition/positions';
import { paidDateOf, toPaymentsModel } from '../../shared/http/gpd-operation-mapping';
import { alreadyPaidSchema } from '../../shared/http/gpd-operation-schemas';
import { HttpProblem } from '../../shared/http/problem';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { NotPayableError, markOptionPaid } from '../../shared/use-cases/debt-positions/mark-paid';

/** POST /organizations/{organizationFiscalCode}/paymentoptions/paids/{nav} — GPD setPaymentOptionAsAlreadyPaid */
export const makeHandler = (deps: GpdApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const body = parseWith(alreadyPaidSchema, request.body, 'body');
    const { actor, organization } = request.caller;
    const command = { organizationFiscalCode: organization.fiscalCode, actor, nav: request.pathParameters['nav'] ?? '', paymentDate: paidDateOf(body) };
    const paid = await markOptionPaid(deps, command).catch(
      (error: unknown) => {
        throw error instanceof NotPayableError ? new HttpProblem(422, 'Unprocessable Entity', error.message) : error;
      },
    );
    return json(200, toPaymentsModel(paid.position, paid.option));
  });

export const handler = makeHandler(positionsRoot());
