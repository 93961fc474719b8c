/** Italian labels and formats. */
export const STATUS_LABELS: Record<string, string> = {
  DRAFT: 'Bozza',
  PUBLISHED: 'Pubblicata',
  VALID: 'Da pagare',
  INVALID: 'Annullata',
  EXPIRED: 'Scaduta',
  PARTIALLY_PAID: 'Pagata in parte',
  PAID: 'Pagata',
  REPORTED: 'Rendicontata',
};
export const STATUSES = Object.keys(STATUS_LABELS);

export const ROLE_LABELS: Record<string, string> = { admin: 'Amministratore', operator: 'Operatore', viewer: 'Sola lettura' };

const euro = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR' });
export const formatCents = (cents: number): string => euro.format(cents / 100);

const dayFmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' });
/** the Rome calendar day of an instant as a date input wants it (yyyy-MM-dd); now when none is given */
export const romeDay = (iso?: string): string => dayFmt.format(iso ? new Date(iso) : new Date());

const dateFmt = new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeZone: 'Europe/Rome' });
const dateTimeFmt = new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' });
export const formatDate = (iso: string | undefined): string => (iso ? dateFmt.format(new Date(iso)) : '—');
/**
 * An instant in Rome's time. A date-time without an offset (pagoPA's xs:dateTime of a receipt's
 * paymentDateTime, e.g. 2026-12-03T10:59:00) is already Rome's wall clock: shown as it reads,
 * not read as the browser's own zone.
 */
export const formatDateTime = (iso: string | undefined): string => {
  if (!iso) return '—';
  const local = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(iso);
  if (local) return `${local[3]}/${local[2]}/${local[1]!.slice(2)}, ${local[4]}:${local[5]}`;
  return dateTimeFmt.format(new Date(iso));
};

/** "302 0000 0000 0000 184": the notice number grouped as on the printed notice */
export const formatNoticeNumber = (nav: string | undefined): string => (nav ? nav.replace(/^(\d{2})(\d{4})(\d{4})(\d{4})(\d{4})$/, '$1 $2 $3 $4 $5') : '—');

export const STATUS_BADGE: Record<string, string> = {
  DRAFT: 'bg-secondary',
  PUBLISHED: 'bg-primary',
  VALID: 'bg-primary',
  INVALID: 'bg-danger',
  EXPIRED: 'bg-warning text-dark',
  PARTIALLY_PAID: 'bg-warning text-dark',
  PAID: 'bg-success',
  REPORTED: 'bg-success',
};

export const ANOMALY_LABELS: Record<string, string> = {
  UNKNOWN_NOTICE: 'Avviso sconosciuto',
  AMOUNT_MISMATCH: 'Importo diverso da quello dovuto',
  NOT_PAYABLE: 'Posizione non pagabile',
  ALREADY_PAID: 'Avviso già pagato',
  OTHER_MODE_PAID: 'Pagato in un’altra modalità (rate o unica soluzione)',
  IMPLAUSIBLE_PAYMENT_DATE: 'Data di pagamento non plausibile',
  UNPROCESSABLE: 'Ricevuta non elaborabile',
};

/** who acted: an operator of the console, an API key, or the layer itself */
export const formatActedBy = (by: { kind: string; username?: string; name?: string; id?: string }): string =>
  by.kind === 'operator' ? `${by.name} (${by.username}, console)` : by.kind === 'api-key' ? `API, chiave ${by.id}` : `sistema (${by.id})`;

/** How many of a dead-letter queue's messages are this organization's (the API reads at most the queue's first 100). */
export function formatOwnDeadLetters(count: number, partial: boolean): string {
  return `${count}${partial ? ' tra i primi 100' : ''}`;
}
