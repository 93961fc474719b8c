import { createLogger } from '../../shared/observability/logger';
import { json, publicRoute } from '../../shared/http/handler';
import { buildOpenApiDocument } from '../../shared/http/openapi';

/** GET /openapi.json — built once per cold start from the zod schemas. */
const document = buildOpenApiDocument();

export const handler = publicRoute(createLogger(), async () => json(200, document));
