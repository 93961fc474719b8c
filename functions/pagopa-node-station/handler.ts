import { nodeStationRoot, type NodeStation } from '../../shared/composition/receipts';
import { soapRoute } from '../../shared/http/soap-edge';
import { answerNode } from '../../shared/use-cases/receipts/station';

/**
 * POST /pagopa/paForNode: the pagoPA node calls the creditor station (SOAP 1.1, paForNode).
 * Not a tenant route: the node is authenticated by mTLS at the API's custom domain; the
 * idPA / idBrokerPA / idStation it sends are checked against the tenant.
 */
export const makeHandler = (deps: NodeStation) => soapRoute(deps.logger, (command) => answerNode(deps, command));

export const handler = makeHandler(nodeStationRoot());
