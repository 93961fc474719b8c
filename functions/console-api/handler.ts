import { consoleApiRoot, type ConsoleApi } from '../../shared/composition/console';
import { consoleApi } from '../../shared/http/console-edge';

/**
 * The operator console's API, every route under /console-api (shared/http/console-edge.ts):
 * GET /me; under /organizations/{organizationFiscalCode}: GET dashboard, GET/POST debtpositions,
 * GET debtpositions/{iupd} (with its receipts), POST …/publish, POST …/invalidate, GET …/notice. The caller is an
 * operator with an OpenID Connect bearer token, verified by the function.
 */
export const makeHandler = (deps: ConsoleApi) => consoleApi(deps);

export const handler = makeHandler(consoleApiRoot());
