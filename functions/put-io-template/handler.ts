import { createApiRuntime } from '../../shared/composition';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoTemplateStore } from '../../shared/adapters/dynamo/message-store';
import { readConfig, tableConfigSchema } from '../../shared/config/env';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { saveTemplate, templateBodySchema, type TemplateDeps } from '../../shared/use-cases/dossier';
import type { ApiRuntime } from '../../shared/composition';

/** PUT /organizations/{organizationFiscalCode}/io/templates/{kind}: 400 with the reasons when the template could break IO's limits. */
export const makeHandler = (rt: ApiRuntime & TemplateDeps) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const body = parseWith(templateBodySchema, request.body, 'template');
    const saved = await saveTemplate(rt, request.caller.organization, request.pathParameters['kind'] ?? '', body);
    return json(200, saved);
  });

const runtime = createApiRuntime();
export const handler = makeHandler({
  ...runtime,
  templates: new DynamoTemplateStore(createDocumentClient(), readConfig(tableConfigSchema).TABLE_NAME_MAIN),
});
