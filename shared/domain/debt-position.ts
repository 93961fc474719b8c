/**
 * Debt positions (posizioni debitorie) as pagoPA GPD models them, and the rules that move them
 * between states. Pure: every function takes the clock (`now`) as an argument.
 *
 *   DRAFT ──publish──▶ PUBLISHED (validity date in the future) ──(validity date reached)──▶ VALID
 *     └──────publish (no/now validity date)──────────────────────────────────────────────▶ VALID
 *   VALID ──payment of one installment──▶ PARTIALLY_PAID ──last installment──▶ PAID ──▶ REPORTED
 *   PAID | PARTIALLY_PAID ──an option's transfers all in reporting flows──▶ REPORTED (reporting-flow.ts)
 *   VALID ──payment of the single option──▶ PAID
 *   PUBLISHED | VALID ──invalidate──▶ INVALID (final)
 *   VALID ──last due date passed, switchToExpired──▶ EXPIRED
 *   DRAFT | PUBLISHED | VALID | EXPIRED ──update──▶ DRAFT (then publish), or, with toPublish, published again
 */

export const POSITION_STATUSES = [
  'DRAFT',
  'PUBLISHED',
  'VALID',
  'INVALID',
  'EXPIRED',
  'PARTIALLY_PAID',
  'PAID',
  'REPORTED',
] as const;
export type PositionStatus = (typeof POSITION_STATUSES)[number];

export const OPTION_STATUSES = ['PO_UNPAID', 'PO_PAID', 'PO_PARTIALLY_REPORTED', 'PO_REPORTED'] as const;
export type OptionStatus = (typeof OPTION_STATUSES)[number];

export type DebtorType = 'F' | 'G';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** pagoPA "marca da bollo digitale" transfer instead of an IBAN. */
export interface Stamp {
  readonly hashDocument: string;
  readonly stampType: string;
  readonly provincialResidence: string;
}

/** One beneficiary share of a payment option (trasferimento). */
export interface Transfer {
  readonly idTransfer: '1' | '2' | '3' | '4' | '5';
  readonly amount: number; // cents
  /** the creditor receiving this transfer; defaults to the position's organization */
  readonly organizationFiscalCode: string;
  readonly remittanceInformation: string;
  /** taxonomy code, e.g. 9/0101002IM/ (dati specifici di riscossione) */
  readonly category: string;
  readonly iban?: string;
  readonly postalIban?: string;
  readonly stamp?: Stamp;
  /** the beneficiary's name as the creditor gives it (GPD TransferModel.companyName, ≤ 140) */
  readonly companyName?: string;
  readonly metadata: readonly KeyValue[];
  /**
   * Set when a line of a reporting flow (flusso di rendicontazione) is matched to this transfer's
   * payment: GPD's TransferStatus T_REPORTED (absent: T_UNREPORTED). See shared/domain/reporting-flow.ts.
   */
  readonly reporting?: TransferReporting;
}

/** Which reporting flow reported a transfer, and when (GPD idFlowReporting / reportingDate). */
export interface TransferReporting {
  /** the flow name (identificativoFlusso, FdR `fdr`) */
  readonly idFlowReporting: string;
  readonly pspId: string;
  readonly revision: number;
  /** when the layer matched the line (ISO UTC) */
  readonly reportingDate: string;
}

export interface PaymentRecord {
  readonly receiptId: string;
  readonly paymentDate: string;
  readonly pspCompany?: string;
  readonly paymentMethod?: string;
  readonly fee?: number;
}

/** A way to pay the position: the single payment (rata unica) or one installment (rata). */
export interface PaymentOption {
  readonly iuv: string;
  /** notice number (codice avviso), aux digit 3 + IUV */
  readonly nav: string;
  readonly amount: number; // cents
  readonly description: string;
  readonly isPartialPayment: boolean;
  readonly dueDate: string; // ISO-8601 UTC
  readonly retentionDate?: string;
  readonly fee: number;
  readonly status: OptionStatus;
  readonly payment?: PaymentRecord;
  readonly metadata: readonly KeyValue[];
  readonly transfers: readonly Transfer[];
}

export interface Debtor {
  readonly type: DebtorType;
  readonly fiscalCode: string;
  readonly fullName: string;
  readonly streetName?: string;
  readonly civicNumber?: string;
  readonly postalCode?: string;
  readonly city?: string;
  readonly province?: string;
  readonly region?: string;
  readonly country?: string;
  readonly email?: string;
  readonly phone?: string;
}

/** What an iupd may be (GPD: 1..70 characters among A-Z a-z 0-9 . _ -). */
export const IUPD_PATTERN = /^[A-Za-z0-9._-]{1,70}$/;

export function isIupd(value: string): boolean {
  return IUPD_PATTERN.test(value);
}

export interface DebtPosition {
  readonly organizationFiscalCode: string;
  /** the creditor's unique id of the position (identificativo univoco posizione debitoria) */
  readonly iupd: string;
  readonly debtor: Debtor;
  readonly companyName: string;
  readonly officeName?: string;
  readonly switchToExpired: boolean;
  /**
   * GPD's stand-in flag (PaymentPositionModel.payStandIn), stored and returned as the creditor
   * set it. It has no effect here: the layer feeds no stand-in system. Absent (positions stored
   * before the field existed) reads as true, GPD's default.
   */
  readonly payStandIn?: boolean;
  readonly validityDate?: string;
  readonly status: PositionStatus;
  readonly insertedDate: string;
  readonly publishDate?: string;
  readonly paymentDate?: string;
  readonly lastUpdatedDate: string;
  /** optimistic-concurrency version, +1 on every write */
  readonly version: number;
  readonly paymentOptions: readonly PaymentOption[];
}

/**
 * What a creditor says a position is, on create or replace: the position before the layer has
 * numbered its options and given it a state. Amounts in cents, dates ISO UTC.
 */
export interface PositionContent {
  readonly debtor: Debtor;
  /** default: the organization's name */
  readonly companyName?: string;
  readonly officeName?: string;
  readonly switchToExpired: boolean;
  readonly payStandIn: boolean;
  readonly validityDate?: string;
  readonly paymentOptions: readonly PaymentOptionContent[];
}

/** An option as the creditor describes it: `iuv`/`nav` only when the creditor chose them. */
export interface PaymentOptionContent extends Omit<PaymentOption, 'iuv' | 'nav' | 'status' | 'payment' | 'transfers'> {
  readonly iuv?: string;
  readonly nav?: string;
  readonly transfers: readonly TransferContent[];
}

/** A transfer as the creditor describes it: the beneficiary defaults to the position's organization. */
export interface TransferContent extends Omit<Transfer, 'organizationFiscalCode' | 'reporting'> {
  readonly organizationFiscalCode?: string;
}

export type PositionError =
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'invalid'; readonly message: string; readonly field?: string };

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PositionError };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const conflict = (message: string): Outcome<never> => ({ ok: false, error: { kind: 'conflict', message } });

/** States in which a citizen may pay (pagoPA: VALID and PARTIALLY_PAID). */
export function isPayable(status: PositionStatus): boolean {
  return status === 'VALID' || status === 'PARTIALLY_PAID';
}

export function isUpdatable(status: PositionStatus): boolean {
  return status === 'DRAFT' || status === 'PUBLISHED' || status === 'VALID' || status === 'EXPIRED';
}

/** GPD refuses to delete a position once money has moved on it. */
export function isDeletable(status: PositionStatus): boolean {
  return !(status === 'PARTIALLY_PAID' || status === 'PAID' || status === 'REPORTED');
}

/** The latest due date among the options still relevant (the single option and installments). */
export function lastDueDate(options: readonly PaymentOption[]): string | undefined {
  return options.reduce<string | undefined>((max, o) => (max === undefined || o.dueDate > max ? o.dueDate : max), undefined);
}

export function firstDueDate(options: readonly PaymentOption[]): string | undefined {
  return options.reduce<string | undefined>((min, o) => (min === undefined || o.dueDate < min ? o.dueDate : min), undefined);
}

/**
 * The status the position has at `now` given the passage of time: a PUBLISHED position whose
 * validity date has come is VALID; a VALID one past its last due date with switchToExpired is
 * EXPIRED. Stored status is brought up to date on the next write; reads always use this.
 */
export function statusAt(position: DebtPosition, now: Date): PositionStatus {
  const iso = now.toISOString();
  let status = position.status;
  if (status === 'PUBLISHED' && (position.validityDate === undefined || position.validityDate <= iso)) {
    status = 'VALID';
  }
  if (status === 'VALID' && position.switchToExpired) {
    const last = lastDueDate(position.paymentOptions);
    if (last !== undefined && last < iso) status = 'EXPIRED';
  }
  return status;
}

export function withCurrentStatus(position: DebtPosition, now: Date): DebtPosition {
  const status = statusAt(position, now);
  return status === position.status ? position : { ...position, status };
}

/** The published status for a position that becomes visible to the node at `now`. */
function publishedStatus(validityDate: string | undefined, now: Date): PositionStatus {
  return validityDate !== undefined && validityDate > now.toISOString() ? 'PUBLISHED' : 'VALID';
}

export function publish(position: DebtPosition, now: Date): Outcome<DebtPosition> {
  const current = statusAt(position, now);
  if (current !== 'DRAFT') {
    return conflict(`a position in status ${current} cannot be published: only DRAFT positions can`);
  }
  const iso = now.toISOString();
  // GPD (PaymentPositionActionsService.publishFlowHandler): the earliest due date and the
  // validity date must not have passed when the position is published
  const first = firstDueDate(position.paymentOptions);
  if (first !== undefined && first < iso) {
    return conflict(`a position whose earliest due date (${first}) has passed cannot be published`);
  }
  if (position.validityDate !== undefined && position.validityDate < iso) {
    return conflict(`a position whose validity date (${position.validityDate}) has passed cannot be published`);
  }
  return ok({
    ...position,
    status: publishedStatus(position.validityDate, now),
    publishDate: iso,
    lastUpdatedDate: iso,
  });
}

export function invalidate(position: DebtPosition, now: Date): Outcome<DebtPosition> {
  const current = statusAt(position, now);
  if (current !== 'PUBLISHED' && current !== 'VALID') {
    return conflict(`a position in status ${current} cannot be invalidated: only PUBLISHED or VALID positions can`);
  }
  const iso = now.toISOString();
  return ok({ ...position, status: 'INVALID', lastUpdatedDate: iso });
}

/**
 * Replaces the content of a position (debtor, options, transfers). Allowed in DRAFT, PUBLISHED,
 * VALID and EXPIRED. As GPD does (PaymentPositionCRUDService.checkDebtPositionToUpdate), the
 * replaced position is a DRAFT again, its publishDate cleared: it stops being payable until it is
 * published, by `toPublish` on the same request or by a later publish. With `toPublish` it is
 * published at once (PUBLISHED or VALID by its validity date), which needs a due date ahead.
 */
export function update(
  position: DebtPosition,
  replacement: Pick<
    DebtPosition,
    'debtor' | 'companyName' | 'officeName' | 'switchToExpired' | 'payStandIn' | 'validityDate' | 'paymentOptions'
  >,
  options: { toPublish: boolean },
  now: Date,
): Outcome<DebtPosition> {
  const current = statusAt(position, now);
  if (!isUpdatable(current)) {
    return conflict(`a position in status ${current} cannot be updated`);
  }
  const iso = now.toISOString();
  const { publishDate: _cleared, ...rest } = position;
  const draft: DebtPosition = {
    ...rest,
    debtor: replacement.debtor,
    companyName: replacement.companyName,
    officeName: replacement.officeName,
    switchToExpired: replacement.switchToExpired,
    payStandIn: replacement.payStandIn,
    validityDate: replacement.validityDate,
    paymentOptions: replacement.paymentOptions,
    status: 'DRAFT',
    lastUpdatedDate: iso,
  };
  return options.toPublish ? publish(draft, now) : ok(draft);
}

export function checkDeletable(position: DebtPosition, now: Date): Outcome<DebtPosition> {
  const current = statusAt(position, now);
  return isDeletable(current) ? ok(position) : conflict(`a position in status ${current} cannot be deleted`);
}

/** The single-payment option (rata unica), if the position has one. */
export function singlePaymentOption(position: Pick<DebtPosition, 'paymentOptions'>): PaymentOption | undefined {
  return position.paymentOptions.find((o) => !o.isPartialPayment);
}

export function installments(position: Pick<DebtPosition, 'paymentOptions'>): readonly PaymentOption[] {
  return position.paymentOptions.filter((o) => o.isPartialPayment);
}
