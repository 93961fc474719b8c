/**
 * The business rules of a debt position's content that a schema cannot express alone: sums,
 * dates against the clock, the tenant's own accounts and segregation code, uniqueness inside the
 * request, and the limits every later step of the layer honours. Each violation names the field
 * as the back office sent it (GPD wire names: paymentOption[i].transfer[j]), though the content
 * is the domain's (shared/domain/debt-position.ts).
 *
 * The rules read a `RuleContent`: the content with every field optional. A valid request gives
 * them all of it; a request that failed its schema gives them what could be read of it (the REST
 * edge reports both in one answer), and a rule whose inputs are missing is simply not checked.
 */
import type { PositionContent } from './debt-position';
import type { Organization } from './organization';
import { postalAccountOfIban } from './organization';
import { parseNoticeNumber } from './notice-number';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** GPD's idTransfer values 1..5 (DebtPositionValidation.TransferId): at most five transfers. */
export const MAX_TRANSFERS_PER_OPTION = 5;
/**
 * Installments of one position: what the printed notice lays out (the notice document takes at
 * most 36, shared/domain/notice/document.ts). GPD v3 takes up to 100 installments, GPD v1 sets no
 * limit; every published position gets a printed notice here, so more could never be rendered.
 */
export const MAX_INSTALLMENTS = 36;
/** One single payment (rata unica) and the installments. */
export const MAX_PAYMENT_OPTIONS = 1 + MAX_INSTALLMENTS;
/**
 * The largest content of a position, in bytes of its JSON (UTF-8). The position is one DynamoDB
 * item, at most 400 KB (409,600 bytes) with its attribute names; the JSON of the content is larger
 * than the item it becomes (quotes, braces), and the rest of the margin is what the layer adds
 * later: notice numbers, statuses, dates, the payment record of each option.
 */
export const MAX_POSITION_CONTENT_BYTES = 300_000;

/** A transfer as far as the rules read it. */
export interface RuleTransfer {
  readonly idTransfer?: string;
  readonly amount?: number;
  readonly organizationFiscalCode?: string;
  readonly iban?: string;
  readonly postalIban?: string;
  readonly stamp?: unknown;
}

/** A payment option as far as the rules read it. */
export interface RuleOption {
  readonly iuv?: string;
  readonly nav?: string;
  readonly amount?: number;
  readonly isPartialPayment?: boolean;
  readonly dueDate?: string;
  readonly retentionDate?: string;
  readonly transfers?: readonly RuleTransfer[];
}

export interface RuleContent {
  readonly validityDate?: string;
  readonly paymentOptions?: readonly RuleOption[];
}

export interface RuleContext {
  readonly organization: Organization;
  readonly now: Date;
  readonly requireFutureDueDates: boolean;
}

export function checkPositionContent(content: RuleContent, context: RuleContext): FieldError[] {
  const errors: FieldError[] = [];
  const { organization, now } = context;
  const nowIso = now.toISOString();
  const options = content.paymentOptions ?? [];

  if (options.length === 0) {
    errors.push({ field: 'paymentOption', message: 'at least one payment option is required' });
  }
  if (options.length > MAX_PAYMENT_OPTIONS) {
    errors.push({
      field: 'paymentOption',
      message: `at most ${MAX_PAYMENT_OPTIONS} payment options are allowed: one single payment and up to ${MAX_INSTALLMENTS} installments, what a printed notice lays out`,
    });
  }
  const singles = options.filter((o) => o.isPartialPayment === false);
  if (singles.length > 1) {
    errors.push({
      field: 'paymentOption',
      message: 'at most one option may be the single payment (isPartialPayment=false); installments have isPartialPayment=true',
    });
  }
  // a lone installment is a plan of one (GPD accepts it): the notice prints it as the single payment
  const installments = options.filter((o) => o.isPartialPayment === true);
  if (installments.length > MAX_INSTALLMENTS) {
    errors.push({
      field: 'paymentOption',
      message: `at most ${MAX_INSTALLMENTS} installments are allowed (isPartialPayment=true): a printed notice lays out no more`,
    });
  }

  const seenIuv = new Map<string, number>();
  options.forEach((option, i) => {
    const at = `paymentOption[${i}]`;
    if (context.requireFutureDueDates && option.dueDate !== undefined && option.dueDate < nowIso) {
      errors.push({ field: `${at}.dueDate`, message: 'the due date is in the past' });
    }
    if (content.validityDate !== undefined && option.dueDate !== undefined && content.validityDate > option.dueDate) {
      errors.push({ field: `${at}.dueDate`, message: 'the due date is before the position validityDate' });
    }
    if (option.retentionDate !== undefined && option.dueDate !== undefined && option.retentionDate < option.dueDate) {
      errors.push({ field: `${at}.retentionDate`, message: 'the retention date is before the due date' });
    }
    checkIdentifiers(option, at, organization, errors);
    const iuv = option.iuv ?? (option.nav !== undefined ? option.nav.slice(1) : undefined);
    if (iuv !== undefined) {
      const first = seenIuv.get(iuv);
      if (first !== undefined) {
        errors.push({ field: `${at}.iuv`, message: `the same IUV is used by paymentOption[${first}]` });
      } else seenIuv.set(iuv, i);
    }
    checkTransfers(option, at, organization, errors);
  });
  return errors;
}

function checkTransfers(option: RuleOption, at: string, organization: Organization, errors: FieldError[]): void {
  const transfers = option.transfers ?? [];
  if (transfers.length === 0) errors.push({ field: `${at}.transfer`, message: 'at least one transfer is required' });
  if (transfers.length > MAX_TRANSFERS_PER_OPTION) {
    errors.push({ field: `${at}.transfer`, message: `at most ${MAX_TRANSFERS_PER_OPTION} transfers are allowed` });
  }
  // the sum is checked only when every amount in it is known
  const amounts = transfers.map((t) => t.amount);
  if (option.amount !== undefined && transfers.length > 0 && amounts.every((a): a is number => a !== undefined)) {
    const sum = amounts.reduce((s, a) => s + a, 0);
    if (sum !== option.amount) {
      errors.push({
        field: `${at}.transfer`,
        message: `the transfers sum to ${sum} cents but the option amount is ${option.amount} cents`,
      });
    }
  }
  const ids = new Set<string>();
  transfers.forEach((transfer, j) => {
    const tat = `${at}.transfer[${j}]`;
    if (transfer.idTransfer !== undefined) {
      if (ids.has(transfer.idTransfer)) errors.push({ field: `${tat}.idTransfer`, message: 'idTransfer is repeated' });
      ids.add(transfer.idTransfer);
    }
    // GPD (DebtPositionValidation.checkMutualExclusive): the IBAN, optionally with the postal IBAN,
    // or the stamp. A postal IBAN alone is taken too: the account is then the postal one.
    const account = transfer.iban !== undefined || transfer.postalIban !== undefined;
    const stamp = transfer.stamp !== undefined;
    if (account === stamp) {
      errors.push({
        field: tat,
        message: stamp
          ? 'a transfer goes to an account (iban, optionally with postalIban) or is a stamp, not both'
          : 'a transfer needs an account (iban, optionally with postalIban) or a stamp',
      });
    }
    const toSelf = transfer.organizationFiscalCode === undefined || transfer.organizationFiscalCode === organization.fiscalCode;
    if (toSelf && transfer.iban !== undefined && !organization.ibans.includes(transfer.iban)) {
      errors.push({ field: `${tat}.iban`, message: 'the IBAN is not one of the organization registered IBANs' });
    }
    if (toSelf && transfer.postalIban !== undefined) {
      const postal = postalAccountOfIban(transfer.postalIban);
      if (postal === undefined) {
        errors.push({ field: `${tat}.postalIban`, message: 'a postal IBAN is an Italian IBAN of Poste Italiane (ABI 07601)' });
      } else if (organization.postalAccount?.number !== postal) {
        errors.push({ field: `${tat}.postalIban`, message: 'the postal IBAN is not the organization registered postal account' });
      }
    }
  });
  const first = transfers[0];
  if (first?.organizationFiscalCode !== undefined && first.organizationFiscalCode !== organization.fiscalCode) {
    errors.push({
      field: `${at}.transfer[0].organizationFiscalCode`,
      message: 'the first transfer goes to the organization that owns the position',
    });
  }
}

/** The stored size limit, on the whole content (a request that failed its schema is not measured). */
export function checkPositionSize(content: PositionContent): FieldError[] {
  const bytes = new TextEncoder().encode(JSON.stringify(content)).length;
  if (bytes <= MAX_POSITION_CONTENT_BYTES) return [];
  return [
    {
      field: '(body)',
      message: `the position is ${bytes} bytes once stored, more than the ${MAX_POSITION_CONTENT_BYTES} a position may be: use fewer options, transfers or metadata`,
    },
  ];
}

function checkIdentifiers(option: RuleOption, at: string, organization: Organization, errors: FieldError[]): void {
  if (option.nav !== undefined) {
    const parsed = parseNoticeNumber(option.nav);
    if (!parsed.ok) {
      errors.push({ field: `${at}.nav`, message: parsed.error.message });
    } else if (parsed.value.auxDigit !== 3) {
      errors.push({ field: `${at}.nav`, message: 'new notice numbers use aux digit 3 (SACI 3.x)' });
    } else if (parsed.value.segregationCode !== organization.segregationCode) {
      errors.push({
        field: `${at}.nav`,
        message: `the segregation code is ${parsed.value.segregationCode}, the organization's is ${organization.segregationCode}`,
      });
    }
    if (option.iuv !== undefined && `3${option.iuv}` !== option.nav) {
      errors.push({ field: `${at}.iuv`, message: 'the IUV is not the notice number without its aux digit' });
    }
    return;
  }
  if (option.iuv !== undefined) {
    const parsed = parseNoticeNumber(`3${option.iuv}`);
    if (!/^\d{17}$/.test(option.iuv)) {
      errors.push({ field: `${at}.iuv`, message: 'an IUV is 17 digits: segregation code, 13-digit base, 2 check digits' });
    } else if (!parsed.ok) {
      errors.push({ field: `${at}.iuv`, message: parsed.error.message });
    } else if (parsed.value.segregationCode !== organization.segregationCode) {
      errors.push({
        field: `${at}.iuv`,
        message: `the segregation code is ${parsed.value.segregationCode}, the organization's is ${organization.segregationCode}`,
      });
    }
  }
}
