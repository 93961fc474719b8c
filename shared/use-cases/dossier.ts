/**
 * The citizen's dossier (what a tenant knows about one debtor: positions, notices, receipts and
 * the messages sent to them) and the tenant's message templates.
 */
import * as z from 'zod';
import type { DebtPosition } from '../domain/debt-position';
import { validateCodiceFiscale, validatePartitaIva } from '../domain/fiscal-code';
import { statusAt } from '../domain/debt-position';
import { MESSAGE_KINDS, MessageTemplateSchema, validateTemplate, type MessageKind } from '../domain/message-templates';
import { noticeAvailability } from '../domain/notice-document';
import type { Organization } from '../domain/organization';
import type { MessageRecordStore, TemplateStore } from './citizen-messages';
import { UseCaseError } from './errors';
import type { ReceiptStore } from './ports';

// ---- templates ----------------------------------------------------------------------------

export const templateBodySchema = MessageTemplateSchema;

export interface TemplateDeps {
  readonly templates: Pick<TemplateStore, 'put'>;
  readonly clock: () => Date;
}

/**
 * Saves the tenant's template for a kind after `validateTemplate` (with the tenant's own name as
 * the creditor name): a template that could render outside IO's limits, or uses a placeholder
 * the kind does not have, is refused with every reason.
 */
export async function saveTemplate(
  deps: TemplateDeps,
  organization: Organization,
  kind: string,
  template: { subject: string; markdown: string },
): Promise<{ kind: MessageKind; template: { subject: string; markdown: string }; lengths: { subject: { min: number; max: number }; markdown: { min: number; max: number } } }> {
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

// ---- dossier ------------------------------------------------------------------------------

export const MAX_DOSSIER_POSITIONS = 200;

export interface DossierDeps {
  readonly positionsOf: (organizationFiscalCode: string, fiscalCode: string, limit: number) => Promise<DebtPosition[]>;
  readonly receipts: Pick<ReceiptStore, 'receiptsOf'>;
  readonly messages: Pick<MessageRecordStore, 'ofPosition'>;
  readonly clock: () => Date;
}

const fiscalCodeSchema = z.string().regex(/^([A-Z0-9]{16}|\d{11}|ANONIMO)$/);

export async function debtorDossier(deps: DossierDeps, organization: Organization, fiscalCode: string) {
  const fc = fiscalCode.toUpperCase();
  if (!fiscalCodeSchema.safeParse(fc).success) {
    throw new UseCaseError('invalid', 'the fiscal code is not a codice fiscale or partita IVA', [{ field: 'fiscalCode', message: 'must be 16 characters or 11 digits' }]);
  }
  // no debtor is stored with a code whose check character/digit is wrong: say so instead of an empty dossier
  const wrong = fc === 'ANONIMO' ? null : fc.length === 16 ? validateCodiceFiscale(fc) : validatePartitaIva(fc);
  if (wrong !== null) throw new UseCaseError('invalid', `the fiscal code is not valid: ${wrong}`, [{ field: 'fiscalCode', message: wrong }]);
  const now = deps.clock();
  const positions = await deps.positionsOf(organization.fiscalCode, fc, MAX_DOSSIER_POSITIONS + 1);
  const truncated = positions.length > MAX_DOSSIER_POSITIONS;
  const items = await Promise.all(
    positions.slice(0, MAX_DOSSIER_POSITIONS).map(async (p) => {
      const status = statusAt(p, now);
      const [receipts, messages] = await Promise.all([
        Promise.all(p.paymentOptions.map((o) => deps.receipts.receiptsOf(organization.fiscalCode, o.iuv))).then((r) => r.flat()),
        deps.messages.ofPosition(organization.fiscalCode, p.iupd),
      ]);
      const notice = noticeAvailability(status);
      return {
        iupd: p.iupd,
        status,
        companyName: p.companyName,
        insertedDate: p.insertedDate,
        ...(p.publishDate ? { publishDate: p.publishDate } : {}),
        paymentOptions: p.paymentOptions.map((o) => ({
          nav: o.nav,
          iuv: o.iuv,
          amount: o.amount,
          description: o.description,
          dueDate: o.dueDate,
          isPartialPayment: o.isPartialPayment,
          status: o.status,
        })),
        notice: notice.available
          ? { available: true, href: `/organizations/${organization.fiscalCode}/debtpositions/${encodeURIComponent(p.iupd)}/notice` }
          : { available: false, reason: notice.reason },
        receipts: receipts.map((r) => ({
          receiptId: r.receiptId,
          nav: r.nav,
          iuv: r.iuv,
          state: r.state,
          amount: r.receipt.paymentAmount,
          ...(r.receipt.paymentDateTime ? { paymentDateTime: r.receipt.paymentDateTime } : {}),
          psp: r.receipt.PSPCompanyName,
          recordedAt: r.recordedAt,
        })),
        messages: messages
          .map((m) => ({
            nav: m.nav,
            kind: m.kind,
            state: m.state,
            attempts: m.attempts,
            ...(m.channel ? { channel: m.channel } : {}),
            ...(m.serviceId ? { serviceId: m.serviceId } : {}),
            ...(m.ioMessageId ? { ioMessageId: m.ioMessageId } : {}),
            ...(m.sentAt ? { sentAt: m.sentAt } : {}),
            ...(m.detail ? { detail: m.detail } : {}),
            updatedAt: m.updatedAt,
          }))
          .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)),
      };
    }),
  );
  return { organizationFiscalCode: organization.fiscalCode, fiscalCode: fc, positions: items, truncated };
}
