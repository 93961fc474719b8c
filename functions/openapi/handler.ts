import { createLogger } from '../../shared/observability/logger';
import { json, publicRoute } from '../../shared/http/rest-edge';
import document from '../../shared/http/openapi.json';

/**
 * GET /openapi.json — the committed document, generated from the zod schemas by
 * `npm run openapi` (test/unit/openapi.test.ts fails when it is stale). Serving the file keeps
 * the schemas, and the code behind them, out of this function's bundle and cold start.
 */
export const handler = publicRoute(createLogger(), async () => json(200, document));
