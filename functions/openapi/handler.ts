import { publicRoutesRoot, type PublicRouteDeps } from '../../shared/composition/public-routes';
import { json, publicRoute } from '../../shared/http/rest-edge';
import document from '../../shared/http/openapi.json';

/**
 * GET /openapi.json — the committed document, generated from the zod schemas by
 * `npm run openapi` (test/unit/openapi.test.ts fails when it is stale). Serving the file keeps
 * the schemas, and the code behind them, out of this function's bundle and cold start.
 */
export const makeHandler = (deps: PublicRouteDeps) => publicRoute(deps.logger, async () => json(200, document));

export const handler = makeHandler(publicRoutesRoot());
