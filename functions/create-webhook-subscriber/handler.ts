import { webhooksRoot, type WebhookApiDeps } from '../../shared/composition/webhooks';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { registerWebhookSchema, registeredSubscriberBody, toRegisterSubscriber } from '../../shared/http/webhook-schemas';
import { registerSubscriber } from '../../shared/use-cases/webhooks/subscribers';

/**
 * POST /organizations/{organizationFiscalCode}/webhooks {url, eventTypes, description?}
 * → 201 with the subscriber and its signing secret (shown this once).
 */
export const makeHandler = (deps: WebhookApiDeps) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const body = parseWith(registerWebhookSchema, request.body, 'webhook subscriber');
    const { subscriber, secret } = await registerSubscriber(deps, toRegisterSubscriber(request.caller.organization.fiscalCode, body));
    return json(201, registeredSubscriberBody(subscriber, secret), { location: `${request.path.replace(/\/$/, '')}/${subscriber.id}` });
  });

export const handler = makeHandler(webhooksRoot().api);
