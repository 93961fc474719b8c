import { citizenCounterRoot, type CitizenCounter } from '../../shared/composition/citizen';
import { citizenCounterEdge } from '../../shared/http/citizen-edge';

/**
 * The citizen's counter, every route under /cittadino (shared/http/citizen-edge.ts): sign-in
 * with SPID/CIE (AuthnRequest, ACS, SP metadata), the citizen's positions across the
 * municipalities, PDF notices and receipts, the Checkout cart, spontaneous payments.
 */
export const makeHandler = (deps: CitizenCounter) => citizenCounterEdge(deps);

export const handler = makeHandler(citizenCounterRoot());
