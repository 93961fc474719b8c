/**
 * The messages the layer sends citizens on App IO, and when: pure rules, no I/O, the clock handed in.
 *
 * Which payment option a "new notice" message is about. IO's payment_data carries ONE notice
 * number, and a message with payment_data is a "pay" button in the app, so:
 *   - a position with a single payment option (rata unica) still unpaid → one message, for it
 *     (the installments are an alternative the printed notice shows; the app pays the whole);
 *   - a position with installments only, or PARTIALLY_PAID (the single option can no longer be
 *     chosen once an installment is paid) → one message per unpaid installment.
 * Reminders follow the same choice. "Payment received" is about the option the receipt paid;
 * "cancellation" about the options a "new notice" was sent for.
 *
 * Every message has a key (organization, iupd, notice number, kind); the sender records each key
 * once (claim → sent | failed | skipped), which is what keeps duplicates and retries from sending
 * twice (the IO services API has no idempotency key: a repeated POST /messages is a second message).
 */
import type { DebtPosition, PaymentOption } from '../debt-position';
import { installments, isPayable, singlePaymentOption, statusAt } from '../debt-position';
import type { IoService, IoSettings, Organization } from '../organization';
import { buildPaymentMessage, validateNewMessage, type NewMessage } from './io-api';
import { COUNTER_LINK_RESERVE, renderMessage, type MessageKind, type MessageTemplate, type TenantMessageTemplates } from './templates';

/** The kinds of message, as recorded: `reminder-7d` is the reminder sent 7 days ahead. */
export type DispatchKind = 'new-notice' | 'payment-received' | 'cancellation' | `reminder-${number}d`;

export function reminderKind(days: number): DispatchKind {
  return `reminder-${days}d`;
}

export function isDispatchKind(value: string): value is DispatchKind {
  return value === 'new-notice' || value === 'payment-received' || value === 'cancellation' || /^reminder-\d{1,3}d$/.test(value);
}

/** The template a kind of message is written with. */
export function templateKindOf(kind: DispatchKind): MessageKind {
  if (kind === 'new-notice') return 'new-notice';
  if (kind === 'payment-received') return 'receipt';
  if (kind === 'cancellation') return 'cancellation';
  return 'reminder';
}

/** Whether the message is a call to pay (payment_data, due date, a notice PDF by e-mail). */
export function asksToPay(kind: DispatchKind): boolean {
  return kind === 'new-notice' || kind.startsWith('reminder-');
}

/** The options a citizen is told to pay, per the rule in the header. */
export function messageableOptions(position: Pick<DebtPosition, 'paymentOptions' | 'status'>): PaymentOption[] {
  const unpaid = (o: PaymentOption) => o.status === 'PO_UNPAID';
  const single = singlePaymentOption(position);
  if (position.status !== 'PARTIALLY_PAID' && single && unpaid(single)) return [single];
  return installments(position).filter(unpaid);
}

export interface MessageKey {
  readonly organizationFiscalCode: string;
  readonly iupd: string;
  readonly nav: string;
  readonly kind: DispatchKind;
}

export function keyText(key: MessageKey): string {
  return `${key.organizationFiscalCode}/${key.iupd}/${key.nav}/${key.kind}`;
}

/**
 * Why a planned message is not (or no longer) to be sent at `now`; undefined when it is. Checked
 * again right before sending, so a reminder is never sent for an option paid in the meantime.
 */
export function reasonNotToSend(kind: DispatchKind, position: DebtPosition, nav: string, now: Date): string | undefined {
  const option = position.paymentOptions.find((o) => o.nav === nav);
  if (!option) return 'the position has no such notice number any more';
  if (kind === 'payment-received' || kind === 'cancellation') return undefined;
  const status = statusAt(position, now);
  if (!isPayable(status)) return `the position is ${status}, not payable`;
  if (option.status !== 'PO_UNPAID') return `the option is ${option.status}`;
  if (!messageableOptions({ ...position, status }).some((o) => o.nav === nav)) return 'the option is not the one to pay';
  if (kind !== 'new-notice' && option.dueDate < now.toISOString()) return 'the due date has passed';
  return undefined;
}

// ---- services ----------------------------------------------------------------------------

/**
 * The IO service a message about `option` goes out from: the first service whose taxonomy list
 * matches a transfer's category (the first transfer, the creditor's main one, decides first), else
 * the default service, else the first. An entry matches a category equal to it or starting with it.
 */
export function chooseService(io: IoSettings | undefined, option: Pick<PaymentOption, 'transfers'> | undefined): IoService | undefined {
  if (!io || io.services.length === 0) return undefined;
  const transfers = [...(option?.transfers ?? [])].sort((a, b) => a.idTransfer.localeCompare(b.idTransfer));
  for (const transfer of transfers) {
    const match = io.services.find((s) => (s.taxonomy ?? []).some((t) => transfer.category === t || transfer.category.startsWith(t)));
    if (match) return match;
  }
  return io.services.find((s) => s.serviceId === io.defaultServiceId) ?? io.services[0];
}

// ---- content ----------------------------------------------------------------------------

export interface ComposeInput {
  readonly kind: DispatchKind;
  readonly position: DebtPosition;
  readonly nav: string;
  readonly organization: Pick<Organization, 'name' | 'fiscalCode'>;
  readonly templates?: TenantMessageTemplates;
  /** reminders: days to the due date */
  readonly daysLeft?: number;
  /** payment received: the cents actually paid */
  readonly paidAmount?: number;
  /**
   * The citizen's counter of the deployment (e.g. https://comune.example/cittadino): the message
   * ends with a link to the position's page there, where the citizen sees it, pays it and
   * downloads its notice or receipt. Absent: no link.
   */
  readonly counterUrl?: string;
}

export type Composed =
  | { readonly ok: true; readonly message: NewMessage; readonly subject: string; readonly markdown: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The IO message for a key, written with the tenant's template for the kind (or the default) and
 * checked against IO's rules. A call to pay carries payment_data (amount, notice number, payee =
 * the creditor, invalid_after_due_date = the position's switchToExpired) and the due date; a
 * receipt or a cancellation carries neither, so the app shows no pay button.
 */
export function composeMessage(input: ComposeInput): Composed {
  const option = input.position.paymentOptions.find((o) => o.nav === input.nav);
  if (!option) return { ok: false, reason: 'no such notice number in the position' };
  const templateKind = templateKindOf(input.kind);
  const template: MessageTemplate | undefined = input.templates?.[templateKind];
  let rendered: { subject: string; markdown: string };
  try {
    rendered = renderMessage(templateKind, template, {
      amountCents: input.kind === 'payment-received' && input.paidAmount !== undefined ? input.paidAmount : option.amount,
      dueDate: option.dueDate,
      noticeNumber: option.nav,
      description: option.description,
      creditorName: input.organization.name,
      ...(templateKind === 'reminder' ? { daysLeft: Math.max(0, input.daysLeft ?? 0) } : {}),
    });
  } catch (error) {
    return { ok: false, reason: `cannot render the ${templateKind} template: ${(error as Error).message}` };
  }
  const link = counterLink(input);
  if (link) rendered = { ...rendered, markdown: `${rendered.markdown}${link}` };
  const built = asksToPay(input.kind)
    ? buildPaymentMessage({
        fiscalCode: input.position.debtor.fiscalCode,
        subject: rendered.subject,
        markdown: rendered.markdown,
        amountCents: option.amount,
        noticeNumber: option.nav,
        payeeFiscalCode: input.position.organizationFiscalCode,
        dueDate: new Date(option.dueDate).toISOString(),
        invalidAfterDueDate: input.position.switchToExpired,
      })
    : validateNewMessage({
        fiscal_code: input.position.debtor.fiscalCode,
        content: { subject: rendered.subject, markdown: rendered.markdown },
        feature_level_type: 'STANDARD',
      });
  if (!built.ok) return { ok: false, reason: built.issues.map((i) => `${i.field}: ${i.message}`).join('; ') };
  return { ok: true, message: built.value, ...rendered };
}

/**
 * The closing paragraph linking to the position's page on the citizen's counter, within
 * COUNTER_LINK_RESERVE characters (templates are validated with that much room left), or '' when
 * there is no counter or its URL is not a plain https (or local http) URL.
 */
export function counterLink(input: Pick<ComposeInput, 'counterUrl' | 'position' | 'kind'>): string {
  if (!input.counterUrl) return '';
  const base = input.counterUrl.replace(/\/+$/, '');
  const url = `${base}/posizioni/${input.position.organizationFiscalCode}/${encodeURIComponent(input.position.iupd)}`;
  if (!/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost)[:/])[^\s()<>\[\]]+$/.test(url)) return '';
  const text = input.kind === 'payment-received' ? 'Scarica la ricevuta dallo sportello del cittadino' : input.kind === 'cancellation' ? 'Vedi la posizione sullo sportello del cittadino' : 'Vedi e paga dallo sportello del cittadino';
  const paragraph = `\n\n[${text}](${url})`;
  return paragraph.length <= COUNTER_LINK_RESERVE ? paragraph : '';
}

/** The same text for an e-mail: markdown emphasis and escapes removed. */
export function markdownToPlainText(markdown: string): string {
  return markdown.replace(/\*\*(.*?)\*\*/g, '$1').replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
