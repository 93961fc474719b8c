import { webhooksRoot, type WebhookApiDeps } from '../../shared/composition/webhooks';
import { tenantRoute } from '../../shared/http/rest-edge';
import { removeSubscriber } from '../../shared/use-cases/webhooks/subscribers';

/**
 * DELETE /organizations/{organizationFiscalCode}/webhooks/{webhookId} → 204. Deliveries already
 * queued for it are dropped when their turn comes (the deliverer reads the subscriber each time).
 */
export const makeHandler = (deps: Pick<WebhookApiDeps, 'logger' | 'authenticate' | 'subscribers'>) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const subscriberId = request.pathParameters['webhookId'] ?? '';
    await removeSubscriber(deps, { organizationFiscalCode: request.caller.organization.fiscalCode, subscriberId });
    return { status: 204 };
  });

export const handler = makeHandler(webhooksRoot().api);
