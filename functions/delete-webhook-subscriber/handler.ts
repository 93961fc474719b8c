import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { subscriberDepsFromEnv } from '../../shared/adapters/dynamo/subscriber-store';
import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { tenantRoute } from '../../shared/http/rest-edge';
import { removeSubscriber, type SubscriberStore } from '../../shared/use-cases/webhooks';

/**
 * DELETE /organizations/{organizationFiscalCode}/webhooks/{webhookId} → 204. Deliveries already
 * queued for it are dropped when their turn comes (the deliverer reads the subscriber each time).
 */
export const makeHandler = (rt: Pick<ApiRuntime, 'logger' | 'authenticate'>, deps: { subscribers: SubscriberStore }) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    await removeSubscriber(deps, request.caller.organization.fiscalCode, request.pathParameters['webhookId'] ?? '');
    return { status: 204 };
  });

export const handler = makeHandler(createApiRuntime(), subscriberDepsFromEnv(createDocumentClient(), process.env));
