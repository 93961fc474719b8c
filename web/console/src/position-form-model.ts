/**
 * The position form's state, without the DOM: what the operator typed (texts, as typed), the
 * body the API takes from it (GPD's PaymentPositionModel), the ids of the form's controls, and
 * where each of the API's field problems goes (`paymentOption[1].transfer[0].iban` → the control
 * of that option's first transfer's IBAN). The form only places the API's messages: it validates
 * nothing itself, except reading "120,50" as 12050 cents.
 */

/** GPD's idTransfer "1".."5" (shared/domain/debt-position-rules.ts, MAX_TRANSFERS_PER_OPTION). */
export const MAX_TRANSFERS = 5;
/** One single payment and up to 36 installments (shared/domain/debt-position-rules.ts, MAX_PAYMENT_OPTIONS). */
export const MAX_INSTALLMENTS = 36;
export const MAX_OPTIONS = 1 + MAX_INSTALLMENTS;

export interface TransferDraft {
  /** shown only when the option has more than one transfer (one transfer takes the option's amount) */
  amount: string;
  remittanceInformation: string;
  category: string;
  /** an account (iban, optionally postalIban) or a digital stamp (marca da bollo digitale) */
  kind: 'account' | 'stamp';
  iban: string;
  postalIban: string;
  /** another organization credited by this transfer (empty: the position's own) */
  organizationFiscalCode: string;
  stampHashDocument: string;
  stampType: string;
  stampProvincialResidence: string;
  /** what the form does not show of a transfer read from the API (companyName, transferMetadata): sent back as it was */
  kept?: Record<string, unknown>;
  /** the "other data" group is open (the form's own memory across redraws) */
  open?: boolean;
}

export interface OptionDraft {
  /** the notice's IUV of an option read from the API: sent back, the notice number stays */
  iuv?: string;
  /** the notice number, to show (never sent: the API derives it from the IUV) */
  nav?: string;
  isPartialPayment: boolean;
  amount: string;
  description: string;
  /** yyyy-MM-dd */
  dueDate: string;
  /** yyyy-MM-dd or empty */
  retentionDate: string;
  transfers: TransferDraft[];
  /** what the form does not show of an option read from the API (paymentOptionMetadata) */
  kept?: Record<string, unknown>;
  open?: boolean;
}

export interface PositionDraft {
  iupd: string;
  type: string;
  fiscalCode: string;
  fullName: string;
  email: string;
  options: OptionDraft[];
  /** what the form does not show of a position read from the API (address, validityDate, …): sent back as it was */
  kept?: Record<string, unknown>;
}

/** A position as the console API returns it, as far as the form reads it (GPD's PaymentPositionModelResponse). */
export interface PositionRead {
  iupd: string;
  type: string;
  fiscalCode: string;
  fullName: string;
  email?: string;
  organizationFiscalCode?: string;
  paymentOption?: Array<{
    iuv?: string;
    nav?: string;
    amount: number;
    description?: string;
    isPartialPayment?: boolean;
    dueDate?: string;
    retentionDate?: string;
    paymentOptionMetadata?: Array<{ key: string; value: string }>;
    transfer?: Array<{
      idTransfer?: string;
      amount: number;
      organizationFiscalCode?: string;
      remittanceInformation?: string;
      category?: string;
      iban?: string;
      postalIban?: string;
      stamp?: { hashDocument?: string; stampType?: string; provincialResidence?: string };
      companyName?: string;
      transferMetadata?: Array<{ key: string; value: string }>;
    }>;
  }>;
  [key: string]: unknown;
}

// ---- euro ----

/**
 * An amount in euro as an Italian operator writes it, in cents: "120,50", "120", "1.250,00",
 * "1250,5", "120.50" (a dot followed by 1 or 2 digits is the decimal point), with or without "€";
 * anything else (e.g. "45,001", "abc", "1.25.0") is undefined: the API then names the field.
 */
export function parseEuro(text: string): number | undefined {
  const s = text.replace(/[\s\u00a0]+/g, '').replace(/^€|€$/g, '');
  let whole: string;
  let decimals = '';
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?$/.exec(s))) {
    whole = m[1]!.replace(/\./g, '');
    decimals = m[2] ?? '';
  } else if ((m = /^(\d+)(?:,(\d{1,2}))?$/.exec(s)) || (m = /^(\d+)\.(\d{1,2})$/.exec(s))) {
    whole = m[1]!;
    decimals = m[2] ?? '';
  } else return undefined;
  const cents = Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** Cents as the form shows them in its fields: "120,50", "1250,00" (no thousands separator). */
export const formatEuro = (cents: number): string => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;

/** "1.250,50 €": an amount in a sentence (the running sum). */
export function formatEuroText(cents: number): string {
  const whole = String(Math.floor(Math.abs(cents) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${cents < 0 ? '-' : ''}${whole},${String(Math.abs(cents) % 100).padStart(2, '0')} €`;
}

// ---- dates ----

/** yyyy-MM-dd plus `months` calendar months (the day kept, or the month's last day). */
export function addMonths(day: string, months: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1 + months;
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, mo, Math.min(Number(m[3]), last))).toISOString().slice(0, 10);
}

// ---- drafts ----

export function emptyTransfer(template?: Pick<TransferDraft, 'remittanceInformation' | 'category' | 'iban'>): TransferDraft {
  return {
    amount: '',
    remittanceInformation: template?.remittanceInformation ?? '',
    category: template?.category ?? '9/0101002IM/',
    kind: 'account',
    iban: template?.iban ?? '',
    postalIban: '',
    organizationFiscalCode: '',
    stampHashDocument: '',
    stampType: '',
    stampProvincialResidence: '',
  };
}

/** The form of a new position: one single payment with one transfer to the organization's first IBAN. */
export function newDraft(defaults: { iupd: string; iban: string; dueDate: string }): PositionDraft {
  return {
    iupd: defaults.iupd,
    type: 'F',
    fiscalCode: '',
    fullName: '',
    email: '',
    options: [{ isPartialPayment: false, amount: '', description: '', dueDate: defaults.dueDate, retentionDate: '', transfers: [emptyTransfer({ remittanceInformation: '', category: '9/0101002IM/', iban: defaults.iban })] }],
  };
}

/** Position-level properties of GPD's model the form does not show, sent back unchanged on an edit. */
const KEPT_POSITION_FIELDS = ['payStandIn', 'streetName', 'civicNumber', 'postalCode', 'city', 'province', 'region', 'country', 'phone', 'switchToExpired', 'companyName', 'officeName', 'validityDate'] as const;

/**
 * The form filled from a position read from the API; `dayOf` turns an API instant into the date
 * input's yyyy-MM-dd (Rome). A validity date already past is not sent back: it changes nothing
 * (the position is valid from its publication) and a position cannot be published with one.
 */
export function draftFromPosition(p: PositionRead, dayOf: (iso: string) => string, nowIso: string): PositionDraft {
  const kept: Record<string, unknown> = {};
  for (const k of KEPT_POSITION_FIELDS) if (p[k] !== undefined && p[k] !== null) kept[k] = p[k];
  if (typeof kept['validityDate'] === 'string' && kept['validityDate'] <= nowIso) delete kept['validityDate'];
  const own = p.organizationFiscalCode;
  return {
    iupd: p.iupd,
    type: p.type,
    fiscalCode: p.fiscalCode,
    fullName: p.fullName,
    email: p.email ?? '',
    kept,
    options: (p.paymentOption ?? []).map((o) => {
      // GPD writes NOTIFICATION_FEE itself, and refuses it from a client
      const metadata = (o.paymentOptionMetadata ?? []).filter((m) => m.key !== 'NOTIFICATION_FEE');
      return {
        ...(o.iuv ? { iuv: o.iuv } : {}),
        ...(o.nav ? { nav: o.nav } : {}),
        isPartialPayment: o.isPartialPayment === true,
        amount: formatEuro(o.amount),
        description: o.description ?? '',
        dueDate: o.dueDate ? dayOf(o.dueDate) : '',
        retentionDate: o.retentionDate ? dayOf(o.retentionDate) : '',
        ...(metadata.length ? { kept: { paymentOptionMetadata: metadata } } : {}),
        ...(o.retentionDate ? { open: true } : {}),
        transfers: (o.transfer ?? []).map((t) => {
          const tKept: Record<string, unknown> = {};
          if (t.companyName) tKept['companyName'] = t.companyName;
          if (t.transferMetadata?.length) tKept['transferMetadata'] = t.transferMetadata;
          const other = t.organizationFiscalCode && t.organizationFiscalCode !== own ? t.organizationFiscalCode : '';
          const stamp = t.stamp !== undefined && !t.iban && !t.postalIban;
          return {
            amount: formatEuro(t.amount),
            remittanceInformation: t.remittanceInformation ?? '',
            category: t.category ?? '',
            kind: stamp ? ('stamp' as const) : ('account' as const),
            iban: t.iban ?? '',
            postalIban: t.postalIban ?? '',
            organizationFiscalCode: other,
            stampHashDocument: t.stamp?.hashDocument ?? '',
            stampType: t.stamp?.stampType ?? '',
            stampProvincialResidence: t.stamp?.provincialResidence ?? '',
            ...(Object.keys(tKept).length ? { kept: tKept } : {}),
            ...(stamp || t.postalIban || other ? { open: true } : {}),
          };
        }),
      };
    }),
  };
}

/** Adds an installment at the end (due a month after the last option, its transfer like the first option's first); its index. */
export function addInstallment(draft: PositionDraft, today: string): number {
  const last = draft.options.at(-1);
  const first = draft.options[0]?.transfers[0];
  draft.options.push({
    isPartialPayment: true,
    amount: '',
    description: '',
    dueDate: last?.dueDate ? addMonths(last.dueDate, 1) : addMonths(today, 1),
    retentionDate: '',
    transfers: [emptyTransfer(first && { remittanceInformation: first.remittanceInformation, category: first.category, iban: first.kind === 'account' ? first.iban : '' })],
  });
  return draft.options.length - 1;
}

/** Adds the single payment (rata unica) first, when there is none; its index (0). */
export function addSinglePayment(draft: PositionDraft, today: string): number {
  const first = draft.options[0];
  const transfer = first?.transfers[0];
  draft.options.unshift({
    isPartialPayment: false,
    amount: '',
    description: '',
    dueDate: first?.dueDate || addMonths(today, 1),
    retentionDate: '',
    transfers: [emptyTransfer(transfer && { remittanceInformation: transfer.remittanceInformation, category: transfer.category, iban: transfer.kind === 'account' ? transfer.iban : '' })],
  });
  return 0;
}

export const hasSinglePayment = (draft: PositionDraft): boolean => draft.options.some((o) => !o.isPartialPayment);
export const canAddInstallment = (draft: PositionDraft): boolean => draft.options.length < MAX_OPTIONS && draft.options.filter((o) => o.isPartialPayment).length < MAX_INSTALLMENTS;

/** Adds a transfer to option `i`; going from one to two, the first takes the option's amount (it was that until now). Its index. */
export function addTransfer(draft: PositionDraft, i: number): number {
  const option = draft.options[i]!;
  if (option.transfers.length === 1) option.transfers[0]!.amount = option.amount;
  const first = option.transfers[0];
  option.transfers.push(emptyTransfer({ remittanceInformation: first?.remittanceInformation ?? '', category: first?.category ?? '9/0101002IM/', iban: '' }));
  return option.transfers.length - 1;
}

export function removeTransfer(draft: PositionDraft, i: number, j: number): void {
  draft.options[i]!.transfers.splice(j, 1);
}

export function removeOption(draft: PositionDraft, i: number): void {
  draft.options.splice(i, 1);
}

// ---- names ----

/** "Pagamento in unica soluzione", or "Rata 2" (counted among the installments, in order). */
export function optionTitle(draft: PositionDraft, i: number): string {
  const option = draft.options[i];
  if (!option || !option.isPartialPayment) return 'Pagamento in unica soluzione';
  return `Rata ${draft.options.slice(0, i + 1).filter((o) => o.isPartialPayment).length}`;
}

/** the same inside a sentence: "la rata 2", "della rata 2", "alla rata 2"; "il / del / al pagamento in unica soluzione" */
export function optionInSentence(draft: PositionDraft, i: number, preposition: '' | 'di' | 'a' = ''): string {
  const title = optionTitle(draft, i).toLowerCase();
  const installment = draft.options[i]?.isPartialPayment === true;
  const article = { '': installment ? 'la' : 'il', di: installment ? 'della' : 'del', a: installment ? 'alla' : 'al' }[preposition];
  return `${article} ${title}`;
}

export const transferTitle = (j: number): string => `Trasferimento ${j + 1}`;

export type OptionField = 'descrizione' | 'importo' | 'scadenza' | 'conservazione';
export type TransferField = 'importo' | 'causale' | 'tassonomia' | 'iban' | 'iban-postale' | 'ente' | 'tipo' | 'bollo-impronta' | 'bollo-tipo' | 'bollo-provincia';

export const DEBTOR_FIELDS: ReadonlyArray<{ id: string; api: string; label: string }> = [
  { id: 'iupd', api: 'iupd', label: 'IUPD (identificativo della posizione)' },
  { id: 'tipo', api: 'type', label: 'Tipo di debitore' },
  { id: 'codice-fiscale', api: 'fiscalCode', label: 'Codice fiscale o partita IVA del debitore' },
  { id: 'nominativo', api: 'fullName', label: 'Nome e cognome o ragione sociale' },
  { id: 'email', api: 'email', label: 'E-mail del debitore (facoltativa)' },
];

export const OPTION_LABELS: Readonly<Record<OptionField, string>> = {
  descrizione: 'Descrizione del pagamento',
  importo: 'Importo in euro',
  scadenza: 'Scadenza',
  conservazione: 'Data di conservazione (facoltativa)',
};

export const TRANSFER_LABELS: Readonly<Record<TransferField, string>> = {
  importo: 'Importo del trasferimento in euro',
  causale: 'Causale del versamento',
  tassonomia: 'Codice di tassonomia',
  iban: 'IBAN di accredito',
  'iban-postale': 'IBAN del conto corrente postale (facoltativo)',
  ente: 'Codice fiscale dell’ente beneficiario (solo se non è questo ente)',
  tipo: 'Tipo di trasferimento',
  'bollo-impronta': 'Impronta del documento (SHA-256, base64)',
  'bollo-tipo': 'Tipo di marca da bollo (2 caratteri)',
  'bollo-provincia': 'Provincia di residenza (sigla, per esempio RM)',
};

/** The fields of the first option and of its first transfer keep the ids the form has always had. */
const FIRST_OPTION_IDS: Partial<Record<OptionField, string>> = { descrizione: 'descrizione', importo: 'importo', scadenza: 'scadenza' };
const FIRST_TRANSFER_IDS: Partial<Record<TransferField, string>> = { causale: 'causale', tassonomia: 'tassonomia', iban: 'iban' };

/** `importo` (first option), `opzione-2-importo`, … */
export const optionFieldId = (i: number, name: OptionField): string => (i === 0 && FIRST_OPTION_IDS[name]) || `opzione-${i + 1}-${name}`;
/** `iban` (first option's first transfer), `opzione-2-trasferimento-2-iban`, … */
export const transferFieldId = (i: number, j: number, name: TransferField): string => (i === 0 && j === 0 && FIRST_TRANSFER_IDS[name]) || `opzione-${i + 1}-trasferimento-${j + 1}-${name}`;
export const optionId = (i: number): string => `opzione-${i + 1}`;
export const transferId = (i: number, j: number): string => `opzione-${i + 1}-trasferimento-${j + 1}`;
export const sumId = (i: number): string => `opzione-${i + 1}-somma`;

// ---- the body ----

const trimmed = (s: string) => s.trim();
/** cents, or what was typed (the API names the field and says why) */
const amountOf = (text: string): number | string => parseEuro(text) ?? text.trim();
const accountOf = (s: string) => s.replace(/\s+/g, '').toUpperCase();

/** The body of POST/PUT …/debtpositions (GPD's PaymentPositionModel) from the form. */
export function buildBody(draft: PositionDraft): Record<string, unknown> {
  return {
    ...draft.kept,
    iupd: trimmed(draft.iupd),
    type: draft.type,
    fiscalCode: trimmed(draft.fiscalCode).toUpperCase(),
    fullName: trimmed(draft.fullName),
    ...(trimmed(draft.email) ? { email: trimmed(draft.email) } : {}),
    paymentOption: draft.options.map((o) => {
      const amount = amountOf(o.amount);
      return {
        ...o.kept,
        // the same notice number when the option is kept (GPD: an option sent back with its IUV keeps it)
        ...(o.iuv ? { iuv: o.iuv } : {}),
        amount,
        description: trimmed(o.description),
        isPartialPayment: o.isPartialPayment,
        dueDate: trimmed(o.dueDate),
        ...(trimmed(o.retentionDate) ? { retentionDate: trimmed(o.retentionDate) } : {}),
        transfer: o.transfers.map((t, j) => {
          const iban = accountOf(t.iban);
          const postalIban = accountOf(t.postalIban);
          const other = trimmed(t.organizationFiscalCode);
          return {
            ...t.kept,
            idTransfer: String(j + 1),
            // one transfer is the whole option: the form asks its amount once
            amount: o.transfers.length === 1 ? amount : amountOf(t.amount),
            ...(other ? { organizationFiscalCode: other } : {}),
            remittanceInformation: trimmed(t.remittanceInformation),
            category: trimmed(t.category),
            ...(t.kind === 'stamp'
              ? { stamp: { hashDocument: trimmed(t.stampHashDocument), stampType: trimmed(t.stampType), provincialResidence: trimmed(t.stampProvincialResidence).toUpperCase() } }
              : // an empty IBAN is sent as such (the API says it is needed), unless the postal IBAN alone is the account
                { ...(iban || !postalIban ? { iban } : {}), ...(postalIban ? { postalIban } : {}) }),
          };
        }),
      };
    }),
  };
}

/** The transfers' running sum of option `i` (undefined while one amount is not an amount yet) and the option's amount. */
export function transfersSum(option: OptionDraft): { sum: number | undefined; amount: number | undefined } {
  const amounts = option.transfers.map((t) => parseEuro(t.amount));
  const sum = amounts.every((a): a is number => a !== undefined) ? amounts.reduce((s, a) => s + a, 0) : undefined;
  return { sum, amount: parseEuro(option.amount) };
}

// ---- the API's field problems ----

export interface PlacedField {
  /** the control's id */
  readonly id: string;
  /** what the list at the top calls it: the field's label, with its option and transfer when there are several */
  readonly label: string;
}

const TRANSFER_API: Readonly<Record<string, TransferField>> = {
  amount: 'importo',
  remittanceInformation: 'causale',
  category: 'tassonomia',
  iban: 'iban',
  postalIban: 'iban-postale',
  organizationFiscalCode: 'ente',
  stamp: 'bollo-impronta',
  'stamp.hashDocument': 'bollo-impronta',
  'stamp.stampType': 'bollo-tipo',
  'stamp.provincialResidence': 'bollo-provincia',
};
const OPTION_API: Readonly<Record<string, OptionField>> = { amount: 'importo', description: 'descrizione', dueDate: 'scadenza', retentionDate: 'conservazione' };

/**
 * The control an API field problem goes beside, for the form as it is (`draft`): a debtor field,
 * `paymentOption[i].amount|description|dueDate|retentionDate`, `paymentOption[i].transfer` (the
 * transfers do not add up: beside the option's amount, where the running sum is compared),
 * `paymentOption[i].transfer[j].…` (one transfer's amount is the option's), and
 * `paymentOption[i].transfer[j]` (an account or a stamp: beside the IBAN, or the stamp). Undefined
 * for what the form has no control for (listed at the top).
 */
export function placeField(field: string, draft: PositionDraft): PlacedField | undefined {
  const debtor = DEBTOR_FIELDS.find((f) => f.api === field);
  if (debtor) return { id: debtor.id, label: debtor.label };
  const m = /^paymentOption\[(\d+)\](?:\.(transfer)(?:\[(\d+)\](?:\.(.+))?)?|\.(\w+))?$/.exec(field);
  if (!m) return undefined;
  const i = Number(m[1]);
  const option = draft.options[i];
  if (!option) return undefined;
  const optionContext = draft.options.length > 1 ? `${optionTitle(draft, i)} · ` : '';
  const atOption = (name: OptionField): PlacedField => ({ id: optionFieldId(i, name), label: `${optionContext}${OPTION_LABELS[name]}` });
  if (m[5] !== undefined) {
    const name = Object.hasOwn(OPTION_API, m[5]) ? OPTION_API[m[5]] : undefined;
    return name ? atOption(name) : undefined;
  }
  if (m[2] === undefined) return undefined;
  if (m[3] === undefined) return atOption('importo');
  const j = Number(m[3]);
  const transfer = option.transfers[j];
  if (!transfer) return undefined;
  const rest = m[4];
  let name: TransferField | undefined;
  if (rest === undefined) name = transfer.kind === 'stamp' ? 'bollo-impronta' : 'iban';
  else if (rest === 'amount' && option.transfers.length === 1) return atOption('importo');
  else name = Object.hasOwn(TRANSFER_API, rest) ? TRANSFER_API[rest] : undefined;
  if (!name) return undefined;
  if ((name === 'iban' || name === 'iban-postale') && transfer.kind === 'stamp') name = 'bollo-impronta';
  if (name.startsWith('bollo-') && transfer.kind !== 'stamp') name = 'iban';
  const transferContext = option.transfers.length > 1 ? `${transferTitle(j)} · ` : '';
  return { id: transferFieldId(i, j, name), label: `${optionContext}${transferContext}${TRANSFER_LABELS[name]}` };
}

/** A field the form cannot place, for the list at the top: "Rata 2 (paymentOption[1].iuv)", "Opzioni di pagamento (paymentOption)". */
export function describeField(field: string, draft: PositionDraft): string {
  if (field === 'paymentOption') return 'Opzioni di pagamento (paymentOption)';
  const m = /^paymentOption\[(\d+)\]/.exec(field);
  if (m && draft.options[Number(m[1])]) return `${optionTitle(draft, Number(m[1]))} (${field})`;
  return field;
}
