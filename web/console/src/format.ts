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

const dateFmt = new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeZone: 'Europe/Rome' });
const dateTimeFmt = new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' });
export const formatDate = (iso: string | undefined): string => (iso ? dateFmt.format(new Date(iso)) : '—');
export const formatDateTime = (iso: string | undefined): string => (iso ? dateTimeFmt.format(new Date(iso)) : '—');

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
