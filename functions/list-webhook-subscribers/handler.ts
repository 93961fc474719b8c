import { webhooksRoot, type WebhookApiDeps } from '../../shared/composition/webhooks';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { listSubscribers } from '../../shared/use-cases/webhooks/subscribers';

/** GET /organizations/{organizationFiscalCode}/webhooks → the tenant's subscribers, never their secrets */
export const makeHandler = (deps: Pick<WebhookApiDeps, 'logger' | 'authenticate' | 'subscribers'>) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) =>
    json(200, { webhooks: await listSubscribers(deps, request.caller.organization.fiscalCode) }),
  );

export const handler = makeHandler(webhooksRoot().api);
