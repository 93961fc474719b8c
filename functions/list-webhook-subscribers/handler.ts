import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { subscriberDepsFromEnv } from '../../shared/adapters/dynamo/subscriber-store';
import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, tenantRoute } from '../../shared/http/rest-edge';
import { listSubscribers, type SubscriberStore } from '../../shared/use-cases/webhooks';

/** GET /organizations/{organizationFiscalCode}/webhooks → the tenant's subscribers, never their secrets */
export const makeHandler = (rt: Pick<ApiRuntime, 'logger' | 'authenticate'>, deps: { subscribers: SubscriberStore }) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) =>
    json(200, { webhooks: await listSubscribers(deps, request.caller.organization.fiscalCode) }),
  );

export const handler = makeHandler(createApiRuntime(), subscriberDepsFromEnv(createDocumentClient(), process.env));
