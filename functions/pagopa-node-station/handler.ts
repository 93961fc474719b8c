import { createIntakeRuntime, type IntakeRuntime } from '../../shared/receipts-composition';
import { soapRoute } from '../../shared/http/soap-handler';
import { answerNode } from '../../shared/use-cases/station';

/**
 * POST /pagopa/paForNode: the pagoPA node calls the creditor station (SOAP 1.1, paForNode).
 * Not a tenant route: the node is authenticated by mTLS at the API's custom domain; the
 * idPA / idBrokerPA / idStation it sends are checked against the tenant.
 */
export const makeHandler = (rt: IntakeRuntime) =>
  soapRoute(rt.logger, (request) =>
    answerNode({ organizations: rt.cachedOrganizations, positions: rt.positions, clock: rt.clock, enqueue: rt.enqueue }, request),
  );

export const handler = makeHandler(createIntakeRuntime());
