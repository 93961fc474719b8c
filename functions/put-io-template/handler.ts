import { ioTemplatesRoot, type IoTemplates } from '../../shared/composition/app-io';
import { MessageTemplateSchema } from '../../shared/domain/app-io/templates';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { saveTemplate } from '../../shared/use-cases/app-io/templates';

/** PUT /organizations/{organizationFiscalCode}/io/templates/{kind}: 400 with the reasons when the template could break IO's limits. */
export const makeHandler = (deps: IoTemplates) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const template = parseWith(MessageTemplateSchema, request.body, 'template');
    const saved = await saveTemplate(deps, request.caller.organization, request.pathParameters['kind'] ?? '', template, request.caller.actor);
    return json(200, saved);
  });

export const handler = makeHandler(ioTemplatesRoot());
