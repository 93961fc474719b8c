/**
 * The citizen's dossier as GET /organizations/{ofc}/debtors/{fiscalCode}/dossier answers it:
 * per position its options, where its notice is served (or why there is none), its receipts and
 * the messages sent about it.
 */
import type { Dossier } from '../use-cases/dossier/debtor-dossier';

export function dossierJson(dossier: Dossier) {
  const ofc = dossier.organizationFiscalCode;
  return {
    organizationFiscalCode: ofc,
    fiscalCode: dossier.fiscalCode,
    positions: dossier.positions.map(({ position: p, status, notice, receipts, messages }) => ({
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
        ? { available: true, href: `/organizations/${ofc}/debtpositions/${encodeURIComponent(p.iupd)}/notice` }
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
      messages: messages.map((m) => ({
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
      })),
    })),
    truncated: dossier.truncated,
  };
}
