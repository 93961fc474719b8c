/**
 * What the console shows of receipts and anomalies: its query schemas (a window of Rome calendar
 * days, as the date pickers give it), the JSON of a receipt and of an anomaly (with its notes), the
 * opaque id that names an anomaly in a URL, and the CSV exports the ragioneria opens in a
 * spreadsheet. The reads and the notes are the receipts use cases (use-cases/receipts/queries.ts).
 */
import * as z from 'zod';
import { parseApiDateTime, romeDayEnd, romeDayStart } from '../domain/dates';
import { centsToDecimalString } from '../domain/money';
import { actedBy } from '../use-cases/operators/audit-trail';
import { MAX_NOTE_CHARS } from '../use-cases/receipts/queries';
import { anomalyKeyOf, type AnomalyRef, type ReceiptAnomaly, type StoredReceipt } from '../use-cases/receipts/ports';
import { spreadsheetCsv } from './csv';
import { anomalyFilterShape } from './receipt-schemas';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD').refine((v) => parseApiDateTime(v) !== null, 'is not a calendar date');

const windowShape = {
  from: day.optional().meta({ description: 'The first day (Rome), YYYY-MM-DD, by when the layer recorded it.' }),
  to: day.optional().meta({ description: 'The last day (Rome), YYYY-MM-DD, included.' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The cursor of the previous page, as it came.' }),
};
const fromNotAfterTo = (q: { from?: string; to?: string }) => q.from === undefined || q.to === undefined || q.from <= q.to;

export const consoleReceiptQuerySchema = z.strictObject(windowShape).refine(fromNotAfterTo, { message: 'must not be after to', path: ['from'] });

export const consoleAnomalyQuerySchema = z
  .strictObject({
    ...windowShape,
    ...anomalyFilterShape,
  })
  .refine(fromNotAfterTo, { message: 'must not be after to', path: ['from'] });

export const anomalyNoteSchema = z.strictObject({
  note: z.string().trim().min(1, 'must not be empty').max(MAX_NOTE_CHARS, `must be at most ${MAX_NOTE_CHARS} characters`),
  handled: z.boolean().meta({ description: 'true: the anomaly is handled (closed); false: it stays, or is again, open.' }),
});

/** The store's window (ISO UTC bounds) of the console's query (Rome days). */
export function toReceiptWindow(q: { from?: string | undefined; to?: string | undefined }) {
  return { ...(q.from !== undefined ? { from: romeDayStart(q.from) } : {}), ...(q.to !== undefined ? { to: romeDayEnd(q.to) } : {}) };
}

/** An anomaly's id in URLs: its notice and its key there, opaque to the page. */
export function anomalyIdOf(a: ReceiptAnomaly): string {
  return Buffer.from(JSON.stringify([a.iuv, anomalyKeyOf(a)]), 'utf8').toString('base64url');
}

/** undefined when it is not an id anomalyIdOf made (the route answers 404, as for an unknown one). */
export function parseAnomalyId(id: string): AnomalyRef | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((v) => typeof v === 'string' && v !== '' && v.length <= 256)) {
      return { iuv: parsed[0] as string, key: parsed[1] as string };
    }
  } catch {
    // not base64url JSON
  }
  return undefined;
}

/** What the console shows of a receipt: who paid, how much, through which PSP, when (the operator's own tenant only). */
export function receiptJson(r: StoredReceipt) {
  const x = r.receipt;
  return {
    receiptId: r.receiptId,
    iuv: r.iuv,
    nav: r.nav,
    ...(r.iupd ? { iupd: r.iupd } : {}),
    state: r.state,
    recordedAt: r.recordedAt,
    outcome: x.outcome,
    paymentAmount: x.paymentAmount,
    ...(x.fee !== undefined ? { fee: x.fee } : {}),
    ...(x.paymentDateTime ? { paymentDateTime: x.paymentDateTime } : {}),
    idPSP: x.idPSP,
    pspCompanyName: x.PSPCompanyName,
    ...(x.paymentMethod ? { paymentMethod: x.paymentMethod } : {}),
    ...(x.payer ? { payer: { fullName: x.payer.fullName, fiscalCode: x.payer.entityUniqueIdentifierValue } } : {}),
    transfers: x.transferList.map((t) => ({ idTransfer: t.idTransfer, amount: t.transferAmount, fiscalCodePA: t.fiscalCodePA })),
  };
}

export function anomalyJson(a: ReceiptAnomaly) {
  const last = a.notes?.at(-1);
  return {
    anomalyId: anomalyIdOf(a),
    kind: a.kind,
    detail: a.detail,
    iuv: a.iuv,
    nav: a.nav,
    receiptId: a.receiptId,
    ...(a.iupd ? { iupd: a.iupd } : {}),
    recordedAt: a.recordedAt,
    ...(a.receipt
      ? {
          paymentAmount: a.receipt.paymentAmount,
          ...(a.receipt.paymentDateTime ? { paymentDateTime: a.receipt.paymentDateTime } : {}),
          pspCompanyName: a.receipt.PSPCompanyName,
          ...(a.receipt.payer ? { payer: { fullName: a.receipt.payer.fullName, fiscalCode: a.receipt.payer.entityUniqueIdentifierValue } } : {}),
        }
      : {}),
    ...(a.messageId ? { messageId: a.messageId } : {}),
    handled: last?.handled === true,
    notes: (a.notes ?? []).map((n) => ({ at: n.at, by: actedBy(n.by), text: n.text, handled: n.handled })),
  };
}

const euro = (cents: number | undefined) => (cents === undefined ? '' : centsToDecimalString(cents));

export const RECEIPT_EXPORT_COLUMNS = [
  'registrataIl', 'idRicevuta', 'esito', 'iuv', 'numeroAvviso', 'iupd', 'importo', 'commissione', 'pagataIl',
  'idPSP', 'psp', 'metodo', 'pagatore', 'codiceFiscalePagatore', 'debitore', 'codiceFiscaleDebitore', 'causale',
] as const;

/** One line per receipt, amounts in euro with a dot (123.45), instants in ISO UTC. */
export function receiptsCsv(receipts: readonly StoredReceipt[]): Buffer {
  return spreadsheetCsv(
    RECEIPT_EXPORT_COLUMNS,
    receipts.map((r) => ({
      registrataIl: r.recordedAt,
      idRicevuta: r.receiptId,
      esito: r.state === 'APPLIED' ? 'OK' : 'KO',
      iuv: r.iuv,
      numeroAvviso: r.nav,
      iupd: r.iupd ?? '',
      importo: euro(r.receipt.paymentAmount),
      commissione: euro(r.receipt.fee),
      pagataIl: r.receipt.paymentDateTime ?? '',
      idPSP: r.receipt.idPSP,
      psp: r.receipt.PSPCompanyName,
      metodo: r.receipt.paymentMethod ?? '',
      pagatore: r.receipt.payer?.fullName ?? '',
      codiceFiscalePagatore: r.receipt.payer?.entityUniqueIdentifierValue ?? '',
      debitore: r.receipt.debtor.fullName,
      codiceFiscaleDebitore: r.receipt.debtor.entityUniqueIdentifierValue,
      causale: r.receipt.description,
    })),
  );
}

export const ANOMALY_EXPORT_COLUMNS = ['registrataIl', 'tipo', 'dettaglio', 'iuv', 'numeroAvviso', 'iupd', 'idRicevuta', 'importo', 'psp', 'pagatore', 'gestita', 'ultimaNota', 'notaDi', 'notaIl'] as const;

export function anomaliesCsv(anomalies: readonly ReceiptAnomaly[]): Buffer {
  return spreadsheetCsv(
    ANOMALY_EXPORT_COLUMNS,
    anomalies.map((a) => {
      const last = a.notes?.at(-1);
      const by = last ? actedBy(last.by) : undefined;
      return {
        registrataIl: a.recordedAt,
        tipo: a.kind,
        dettaglio: a.detail,
        iuv: a.iuv,
        numeroAvviso: a.nav,
        iupd: a.iupd ?? '',
        idRicevuta: a.receiptId,
        importo: euro(a.receipt?.paymentAmount),
        psp: a.receipt?.PSPCompanyName ?? '',
        pagatore: a.receipt?.payer?.fullName ?? '',
        gestita: last?.handled ? 'sì' : 'no',
        ultimaNota: last?.text ?? '',
        notaDi: by === undefined ? '' : by.kind === 'operator' ? `${by.name} (${by.username})` : by.id,
        notaIl: last?.at ?? '',
      };
    }),
  );
}
