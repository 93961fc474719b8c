import { webhooksRoot, type WebhookApiDeps } from '../../shared/composition/webhooks';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { listDeliveriesQuerySchema, toDeliveriesQuery } from '../../shared/http/webhook-schemas';
import { listDeliveries } from '../../shared/use-cases/webhooks/subscribers';

/** GET /organizations/{organizationFiscalCode}/webhooks/{webhookId}/deliveries?limit=&cursor= (newest first) */
export const makeHandler = (deps: Pick<WebhookApiDeps, 'logger' | 'authenticate' | 'subscribers'>) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const query = parseWith(listDeliveriesQuerySchema, request.query, 'query');
    const subscriberId = request.pathParameters['webhookId'] ?? '';
    return json(200, await listDeliveries(deps, toDeliveriesQuery(request.caller.organization.fiscalCode, subscriberId, query)));
  });

export const handler = makeHandler(webhooksRoot().api);
