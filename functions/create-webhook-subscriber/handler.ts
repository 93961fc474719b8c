import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { subscriberDepsFromEnv } from '../../shared/adapters/dynamo/subscriber-store';
import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { generateWebhookSecret } from '../../shared/http/api-keys';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { registerSubscriber, registerWebhookSchema, type SubscriberDeps } from '../../shared/use-cases/webhooks';

/**
 * POST /organizations/{organizationFiscalCode}/webhooks {url, eventTypes, description?}
 * → 201 with the subscriber and its signing secret (shown this once).
 */
export const makeHandler = (rt: Pick<ApiRuntime, 'logger' | 'authenticate'>, deps: SubscriberDeps) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const body = parseWith(registerWebhookSchema, request.body, 'webhook subscriber');
    const { subscriber, secret } = await registerSubscriber(deps, request.caller.organization.fiscalCode, body);
    return json(201, { ...subscriber, secret }, { location: `${request.path.replace(/\/$/, '')}/${subscriber.id}` });
  });

const rt = createApiRuntime();
export const handler = makeHandler(rt, {
  ...subscriberDepsFromEnv(createDocumentClient(), process.env),
  clock: rt.clock,
  newId: randomUUID,
  newSecret: generateWebhookSecret,
});
