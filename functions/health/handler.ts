import { publicRoutesRoot, type PublicRouteDeps } from '../../shared/composition/public-routes';
import { json, publicRoute } from '../../shared/http/rest-edge';

/** GET /health — the function answers, so the API and its runtime are up. */
export const makeHandler = (deps: PublicRouteDeps) => publicRoute(deps.logger, async () => json(200, { status: 'UP' }));

export const handler = makeHandler(publicRoutesRoot());
