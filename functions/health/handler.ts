import { createLogger } from '../../shared/observability/logger';
import { json, publicRoute } from '../../shared/http/rest-edge';

/** GET /health — the function answers, so the API and its runtime are up. */
export const handler = publicRoute(createLogger(), async () => json(200, { status: 'UP' }));
