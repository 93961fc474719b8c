/**
 * What a debt position prints as a pagoPA notice (avviso di pagamento): the position and its
 * creditor mapped to the NoticeDocument (./document.ts). Pure: no I/O, the logo bytes are handed in.
 *
 * Rules (pagoPA notice guide and GPD status model, pagopa/pagopa-debt-position):
 * - Only a payable position has a notice (VALID, PARTIALLY_PAID); a DRAFT has none yet, and a
 *   PAID / INVALID / EXPIRED / REPORTED one must never get one (see `noticeAvailability`).
 * - Only unpaid options are printed. Once an installment is paid the single payment (rata unica)
 *   is no longer payable, so a PARTIALLY_PAID position prints only its remaining installments.
 * - A lone payable installment is printed as the single payment (the renderer's rule: one
 *   payment is a "rata unica" block, installments come at least two per band).
 * - The Poste "bollettino" block appears when the creditor has a postal account and every printed
 *   option can be paid by bollettino: the payment is then made at Poste, and the node hands Poste
 *   a postal account for every transfer (paGetPayment with transferType POSTAL; paVerifyPaymentNotice
 *   says so with `allCCP`). So every transfer has a postal IBAN (alone, or with the bank IBAN GPD
 *   lets it carry), and the creditor's own transfers credit the postal account printed on the
 *   bollettino. A transfer with only a bank IBAN, or a digital stamp, cannot be paid with one.
 * - Texts are clipped to the print limits (subject 90, debtor name 70, address 140).
 */
import { romeCalendarDay } from '../dates';
import type { DebtPosition, PaymentOption, PositionStatus } from '../debt-position';
import { isPayable } from '../debt-position';
import type { Organization } from '../organization';
import { postalAccountOfIban } from '../organization';
import type { NoticeDocument } from './document';

export const SUBJECT_MAX = 90;
export const DEBTOR_NAME_MAX = 70;
export const ADDRESS_MAX = 140;

export type LogoType = 'png' | 'jpeg';

export interface Logo {
  readonly bytes: Uint8Array;
  readonly type: LogoType;
}

export type NoticeAvailability =
  | { readonly available: true }
  | { readonly available: false; readonly status: PositionStatus; readonly reason: string };

/** Whether a position in this status may have a printed notice, and why not. */
export function noticeAvailability(status: PositionStatus): NoticeAvailability {
  if (isPayable(status)) return { available: true };
  const reasons: Record<Exclude<PositionStatus, 'VALID' | 'PARTIALLY_PAID'>, string> = {
    DRAFT: 'the position is a DRAFT: it gets a notice once it is published',
    PUBLISHED: 'the position is published but not yet valid (its validity date is in the future): it gets a notice from then on',
    INVALID: 'the position was invalidated: it can no longer be paid',
    EXPIRED: 'the position expired: it can no longer be paid',
    PAID: 'the position is paid: there is nothing left to pay',
    REPORTED: 'the position is paid and reported: there is nothing left to pay',
  };
  return { available: false, status, reason: reasons[status as keyof typeof reasons] };
}

/** The options a citizen can still pay, as printed: single payment first, installments by due date. */
export function printableOptions(position: Pick<DebtPosition, 'paymentOptions'>): {
  single?: PaymentOption;
  installments: PaymentOption[];
} {
  const unpaid = position.paymentOptions.filter((o) => o.status === 'PO_UNPAID');
  const anyInstallmentPaid = position.paymentOptions.some((o) => o.isPartialPayment && o.status !== 'PO_UNPAID');
  const single = anyInstallmentPaid ? undefined : unpaid.find((o) => !o.isPartialPayment);
  const installments = unpaid
    .filter((o) => o.isPartialPayment)
    .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.nav.localeCompare(b.nav)));
  if (!single && installments.length === 1) return { single: installments[0], installments: [] };
  return { single, installments };
}

/** Detects PNG / JPEG from the first bytes; undefined for anything else. */
export function logoTypeOf(bytes: Uint8Array): LogoType | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

export function toNoticeDocument(position: DebtPosition, organization: Organization, logo?: Logo): NoticeDocument {
  const { single, installments } = printableOptions(position);
  const printed = [...(single ? [single] : []), ...installments];
  const postal = organization.postalAccount;
  const withPoste = postal !== undefined && printed.length > 0 && printed.every((o) => payableByBollettino(o, organization));
  const info = [organization.contact?.website, organization.contact?.email, organization.contact?.phone]
    .filter((s): s is string => s !== undefined && s.trim() !== '')
    .join(' - ');
  const sector = position.officeName ?? organization.sector;
  const cbill = organization.cbill !== undefined && /^[A-Z0-9]{5}$/.test(organization.cbill) ? organization.cbill : undefined;

  return {
    subject: clip(subjectOf(position, single ?? installments[0]), SUBJECT_MAX),
    creditor: {
      fiscalCode: organization.fiscalCode,
      name: clip(organization.name, 140),
      ...(sector !== undefined && sector.trim() !== '' ? { sector: clip(sector, 140) } : {}),
      ...(cbill ? { cbill } : {}),
      ...(logo ? { logo: { bytes: logo.bytes, type: logo.type } } : {}),
      ...(withPoste && postal
        ? {
            postalAccount: {
              number: postal.number,
              holder: clip(postal.holder ?? organization.name, 140),
              ...(postal.authorizationCode ? { authorizationCode: clip(postal.authorizationCode, 100) } : {}),
            },
          }
        : {}),
      ...(info !== '' ? { info: clip(info, 200) } : {}),
    },
    debtor: {
      type: position.debtor.type,
      fiscalCode: position.debtor.fiscalCode.toUpperCase(),
      fullName: clip(position.debtor.fullName, DEBTOR_NAME_MAX),
      ...addressOf(position.debtor),
    },
    ...(single
      ? { singlePayment: { nav: single.nav, amountCents: single.amount, dueDate: romeCalendarDay(single.dueDate) } }
      : {}),
    installments: installments.map((o) => ({ nav: o.nav, amountCents: o.amount, dueDate: romeCalendarDay(o.dueDate) })),
  };
}

/** The file name a notice is downloaded as: avviso-<iupd>.pdf (iupd is [A-Za-z0-9._-]). */
export function noticeFileName(iupd: string): string {
  return `avviso-${iupd.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;
}

function subjectOf(position: DebtPosition, first: PaymentOption | undefined): string {
  const description = (first ?? position.paymentOptions[0])?.description?.trim();
  return description !== undefined && description !== '' ? description : position.companyName;
}

/** Whether the option can be paid with the creditor's bollettino (see the rules above). */
export function payableByBollettino(option: PaymentOption, organization: Organization): boolean {
  const account = organization.postalAccount?.number;
  if (account === undefined || option.transfers.length === 0) return false;
  // the first transfer is the creditor's own (a rule of the layer): it credits the printed account
  if (option.transfers[0]!.organizationFiscalCode !== organization.fiscalCode) return false;
  return option.transfers.every((t) => {
    if (t.postalIban === undefined || t.stamp !== undefined) return false;
    return t.organizationFiscalCode !== organization.fiscalCode || postalAccountOfIban(t.postalIban) === account;
  });
}

function addressOf(debtor: DebtPosition['debtor']): { address?: NonNullable<NoticeDocument['debtor']['address']> } {
  const part = (value: string | undefined, max: number): string | undefined => {
    const v = value?.trim();
    return v ? clip(v, max) : undefined;
  };
  const address = {
    streetName: part(debtor.streetName, 70),
    civicNumber: part(debtor.civicNumber, 16),
    postalCode: part(debtor.postalCode, 16),
    city: part(debtor.city, 70),
    province: part(debtor.province, 4),
  };
  const present = Object.fromEntries(Object.entries(address).filter(([, v]) => v !== undefined)) as typeof address;
  if (Object.keys(present).length === 0) return {};
  // The printed lines ("street civic", "postcode city (PR)") must fit 140 characters: the street
  // name gives way first, being the longest free text.
  const printedLength = (a: typeof address): number => {
    const line1 = [a.streetName, a.civicNumber].filter(Boolean).join(' ');
    const line2 = [a.postalCode, a.city, a.province ? `(${a.province})` : undefined].filter(Boolean).join(' ');
    return [line1, line2].filter((l) => l.length > 0).join(' ').length;
  };
  const excess = printedLength(present) - ADDRESS_MAX;
  if (excess > 0 && present.streetName !== undefined) {
    present.streetName = clip(present.streetName, Math.max(1, present.streetName.length - excess));
  }
  return { address: present };
}

/** Trims and cuts to `max` characters, marking a cut with an ellipsis. */
export function clip(text: string, max: number): string {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t.length <= max) return t;
  return `${t.slice(0, max - 1).trimEnd()}\u2026`;
}
