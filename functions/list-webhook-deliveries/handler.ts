import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { subscriberDepsFromEnv } from '../../shared/adapters/dynamo/subscriber-store';
import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { listDeliveries, listDeliveriesQuerySchema, type SubscriberStore } from '../../shared/use-cases/webhooks';

/** GET /organizations/{organizationFiscalCode}/webhooks/{webhookId}/deliveries?limit=&cursor= (newest first) */
export const makeHandler = (rt: Pick<ApiRuntime, 'logger' | 'authenticate'>, deps: { subscribers: SubscriberStore }) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const query = parseWith(listDeliveriesQuerySchema, request.query, 'query');
    const page = await listDeliveries(deps, request.caller.organization.fiscalCode, request.pathParameters['webhookId'] ?? '', query);
    return json(200, page);
  });

export const handler = makeHandler(createApiRuntime(), subscriberDepsFromEnv(createDocumentClient(), process.env));
