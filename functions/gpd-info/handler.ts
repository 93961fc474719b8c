import { positionsRoot, type GpdApi } from '../../shared/composition/positions';
import { requireAnyTenantKey } from '../../shared/http/any-tenant-key';
import { json, publicRoute } from '../../shared/http/rest-edge';

/** GET /info — GPD healthCheck: AppInfo {name, version, environment}, for any tenant's key. */
export const makeHandler = (deps: Pick<GpdApi, 'logger' | 'authenticate' | 'appInfo'>) =>
  publicRoute(deps.logger, async (request) => {
    await requireAnyTenantKey(deps.authenticate, request.headers, request.requestId);
    return json(200, deps.appInfo);
  });

export const handler = makeHandler(positionsRoot());
