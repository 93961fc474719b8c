/**
 * A tenant's App IO message templates, saved over the API (PUT /io/templates/{kind}) after
 * `validateTemplate` (shared/domain/app-io/templates.ts): a template that could render outside
 * IO's limits, or uses a placeholder its kind does not have, is refused with every reason when
 * it is saved rather than when a message fails.
 */
import { MESSAGE_KINDS, validateTemplate, type LengthRange, type MessageKind, type MessageTemplate } from '../../domain/app-io/templates';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { TemplateStore } from './ports';

export interface TemplateDeps {
  readonly templates: Pick<TemplateStore, 'put'>;
  readonly clock: () => Date;
}

export interface SavedTemplate {
  readonly kind: MessageKind;
  readonly template: MessageTemplate;
  /** the shortest and longest subject and markdown the template can render */
  readonly lengths: { readonly subject: LengthRange; readonly markdown: LengthRange };
}

/** Saves the template of `kind` for the tenant, validated with the tenant's own name as the creditor name. */
export async function saveTemplate(deps: TemplateDeps, organization: Organization, kind: string, template: MessageTemplate): Promise<SavedTemplate> {
  if (!(MESSAGE_KINDS as readonly string[]).includes(kind)) {
    throw new UseCaseError('not-found', `no message kind '${kind}': one of ${MESSAGE_KINDS.join(', ')}`);
  }
  const k = kind as MessageKind;
  const validation = validateTemplate(template, { kind: k, creditorName: organization.name });
  if (!validation.ok) {
    throw new UseCaseError(
      'invalid',
      `the ${k} template cannot be used: ${validation.errors.map((e) => e.message).join('; ')}`,
      validation.errors.map((e) => ({ field: e.field, message: `${e.code}: ${e.message}` })),
    );
  }
  await deps.templates.put(organization.fiscalCode, k, template, deps.clock().toISOString());
  return { kind: k, template, lengths: validation.lengths };
}
