import { apiDocsRoot, type ApiDocsDeps } from '../../shared/composition/public-routes';
import { publicRoute } from '../../shared/http/rest-edge';

/** GET /docs — the browsable API reference — and GET /docs/redoc.standalone.js, the Redoc script it runs. */
export const makeHandler = (deps: ApiDocsDeps) => publicRoute(deps.logger, async (request) => deps.docs.answer(request));

export const handler = makeHandler(apiDocsRoot());
