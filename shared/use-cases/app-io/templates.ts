/**
 * A tenant's App IO message templates, saved over the API (PUT /io/templates/{kind}) after
 * `validateTemplate` (shared/domain/app-io/templates.ts): a template that could render outside
 * IO's limits, or uses a placeholder its kind does not have, is refused with every reason when
 * it is saved rather than when a message fails.
 */
import {
  DEFAULT_TEMPLATES,
  MESSAGE_KINDS,
  PLACEHOLDERS_BY_KIND,
  renderMessage,
  validateTemplate,
  type LengthRange,
  type MessageData,
  type MessageKind,
  type MessageTemplate,
  type RenderedMessage,
  type TemplateError,
} from '../../domain/app-io/templates';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { Actor } from '../ports';
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

function messageKind(kind: string): MessageKind {
  if (!(MESSAGE_KINDS as readonly string[]).includes(kind)) {
    throw new UseCaseError('not-found', `no message kind '${kind}': one of ${MESSAGE_KINDS.join(', ')}`);
  }
  return kind as MessageKind;
}

/** Saves the template of `kind` for the tenant, validated with the tenant's own name as the creditor name. */
export async function saveTemplate(deps: TemplateDeps, organization: Organization, kind: string, template: MessageTemplate, by?: Actor): Promise<SavedTemplate> {
  const k = messageKind(kind);
  const validation = validateTemplate(template, { kind: k, creditorName: organization.name });
  if (!validation.ok) {
    throw new UseCaseError(
      'invalid',
      `the ${k} template cannot be used: ${validation.errors.map((e) => e.message).join('; ')}`,
      validation.errors.map((e) => ({ field: e.field, message: `${e.code}: ${e.message}` })),
    );
  }
  await deps.templates.put(organization.fiscalCode, k, template, deps.clock().toISOString(), by);
  return { kind: k, template, lengths: validation.lengths };
}

export interface TemplateInUse {
  readonly kind: MessageKind;
  readonly template: MessageTemplate;
  /** false: the layer's default text (the tenant never saved its own) */
  readonly custom: boolean;
  readonly defaultTemplate: MessageTemplate;
  readonly placeholders: readonly string[];
  /** when the tenant's own template was last saved, and by whom */
  readonly changed?: { readonly at: string; readonly by?: Actor };
}

/** The template each kind of message uses for the tenant: its own, or the default. */
export async function templatesInUse(deps: { readonly templates: Pick<TemplateStore, 'get' | 'changes'> }, organization: Organization): Promise<TemplateInUse[]> {
  const [saved, changes] = await Promise.all([deps.templates.get(organization.fiscalCode), deps.templates.changes(organization.fiscalCode)]);
  return MESSAGE_KINDS.map((kind) => ({
    kind,
    template: saved[kind] ?? DEFAULT_TEMPLATES[kind],
    custom: saved[kind] !== undefined,
    defaultTemplate: DEFAULT_TEMPLATES[kind],
    placeholders: PLACEHOLDERS_BY_KIND[kind],
    ...(saved[kind] && changes[kind] ? { changed: changes[kind] } : {}),
  }));
}

export type TemplatePreview =
  | { readonly ok: true; readonly lengths: { readonly subject: LengthRange; readonly markdown: LengthRange }; readonly example: RenderedMessage; readonly data: MessageData }
  | { readonly ok: false; readonly errors: readonly TemplateError[] };

/**
 * What a template would send, without saving it: the same validation as saving (every reason it
 * would be refused) and, when it passes, the message it renders for an example notice of the
 * tenant (the same renderer as the messages sent to App IO).
 */
export function previewTemplate(organization: Organization, kind: string, template: MessageTemplate, now: Date): TemplatePreview {
  const k = messageKind(kind);
  const validation = validateTemplate(template, { kind: k, creditorName: organization.name });
  if (!validation.ok) return { ok: false, errors: validation.errors };
  const data: MessageData = {
    amountCents: 12_050,
    dueDate: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
    noticeNumber: '302000000000000184',
    description: 'TARI 2026 - rata unica',
    creditorName: organization.name,
    ...(k === 'reminder' ? { daysLeft: 5 } : {}),
  };
  return { ok: true, lengths: validation.lengths, example: renderMessage(k, template, data), data };
}
