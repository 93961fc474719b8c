/**
 * The citizen's receipt of a pagoPA payment (ricevuta di pagamento) as PDF bytes, drawn with the
 * notice's own PDF writer (standard Type 1 fonts, WinAnsi, A4). Pure: data in, bytes out.
 *
 * What it prints is what the pagoPA node's receipt (paSendRT / paSendRTV2 `receipt`, ctReceipt /
 * ctReceiptV2 in pagopa-api's paForNode.xsd) says about the payment: creditor, debtor (and payer
 * when someone else paid), notice number (codice avviso) in groups of four as on the notice, IUV,
 * description, amount paid, fee when known, date and time of payment in Europe/Rome, the PSP, the
 * receipt id, the outcome, and each transfer (beneficiary, amount, remittance information).
 *
 *   header     pagoPA · "Ricevuta di pagamento pagoPA" · the municipality's name · logo (optional)
 *   outcome    "Pagamento eseguito" / "Pagamento non eseguito", amount and date
 *   parties    ENTE CREDITORE | DEBITORE (| VERSANTE below it, if different)
 *   payment    the payment's data, label / value rows
 *   transfers  one row per beneficiary share (a new page, with the header again, if it runs out)
 */
import * as z from 'zod';
import { parseApiDateTime } from '../domain/dates';
import { formatEuroItalian } from '../domain/money';
import { formatNoticeNumberForPrint } from '../domain/notice-number';
import type { Organization } from '../domain/organization';
import type { Receipt } from '../domain/receipt';
import type { FontId } from './fonts';
import { logoImage } from './logo';
import { A4_HEIGHT, A4_WIDTH, Canvas, MM, measure, writePdf, type PdfImage, type Rgb } from './pdf';
import { fit, wrap } from './render';

// ---------------------------------------------------------------------------------- the document

/** A party as printed: who owes (debtor), who paid (payer). */
export interface ReceiptParty {
  readonly name: string;
  /** codice fiscale or partita IVA ("ANONIMO" for an anonymous payer) */
  readonly fiscalCode: string;
}

/** One beneficiary share of the payment, as paid. */
export interface ReceiptDocumentTransfer {
  /** the beneficiary's name, when known */
  readonly beneficiary?: string;
  readonly beneficiaryFiscalCode: string;
  /** cents */
  readonly amountCents: number;
  /** causale */
  readonly remittance: string;
  /** the account credited, when a bank or postal IBAN */
  readonly iban?: string;
  /** the share bought a digital stamp (marca da bollo digitale) instead of crediting an account */
  readonly stamp?: boolean;
}

/** Everything a receipt prints (see receiptDocumentOf for where each field comes from). */
export interface ReceiptDocument {
  readonly creditor: {
    /** the municipality's name, printed in the header and in the creditor box */
    readonly name: string;
    readonly fiscalCode: string;
    /** ufficio / settore */
    readonly office?: string;
    readonly logo?: { readonly bytes: Uint8Array; readonly type: 'png' | 'jpeg' };
  };
  readonly debtor: ReceiptParty;
  /** who paid, when not the debtor */
  readonly payer?: ReceiptParty;
  /** codice avviso (NAV), 18 digits */
  readonly noticeNumber: string;
  /** IUV (creditor reference) */
  readonly iuv: string;
  readonly description: string;
  /** cents */
  readonly amountCents: number;
  /** the PSP's fee in cents, when the receipt states it */
  readonly feeCents?: number;
  /** when the citizen paid, ISO-8601 UTC (printed in Europe/Rome) */
  readonly paidAt: string;
  readonly pspName: string;
  readonly paymentMethod?: string;
  /** the receipt's id (identificativo univoco di riscossione, IUR / receiptId) */
  readonly receiptId: string;
  readonly outcome: 'OK' | 'KO';
  readonly transfers: readonly ReceiptDocumentTransfer[];
}

const text = (max: number) => z.string().trim().min(1).max(max);
const cents = z.number().int().nonnegative().max(99_999_999_999);

/** The shape renderReceiptPdf accepts; a document that breaks it is a programming error. */
export const receiptDocumentSchema = z.object({
  creditor: z.object({
    name: text(140),
    fiscalCode: text(35),
    office: text(140).optional(),
    logo: z.object({ bytes: z.instanceof(Uint8Array), type: z.enum(['png', 'jpeg']) }).optional(),
  }),
  debtor: z.object({ name: text(140), fiscalCode: text(35) }),
  payer: z.object({ name: text(140), fiscalCode: text(35) }).optional(),
  noticeNumber: z.string().regex(/^\d{18}$/, 'a notice number is 18 digits'),
  iuv: text(35),
  description: text(280),
  amountCents: cents,
  feeCents: cents.optional(),
  paidAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'paidAt must be an ISO date-time'),
  pspName: text(140),
  paymentMethod: text(35).optional(),
  receiptId: text(256),
  outcome: z.enum(['OK', 'KO']),
  transfers: z
    .array(
      z.object({
        beneficiary: text(140).optional(),
        beneficiaryFiscalCode: text(35),
        amountCents: cents,
        remittance: z.string().max(280),
        iban: text(34).optional(),
        stamp: z.boolean().optional(),
      }),
    )
    .max(5),
});

export class ReceiptDocumentError extends Error {
  override readonly name = 'ReceiptDocumentError';
}

/**
 * The document of a stored receipt. The creditor's name and office come from the tenant (its name
 * now, as in the header of its notices; the office the receipt states, else the tenant's sector);
 * the payment date is the receipt's paymentDateTime (no offset: Europe/Rome time), else when the
 * layer recorded the receipt, the same fallback the option's payment record uses (markPaid).
 */
export function receiptDocumentOf(stored: { readonly receipt: Receipt; readonly recordedAt: string }, organization: Organization): ReceiptDocument {
  const r = stored.receipt;
  const payer =
    r.payer && r.payer.entityUniqueIdentifierValue.toUpperCase() !== r.debtor.entityUniqueIdentifierValue.toUpperCase()
      ? { name: r.payer.fullName, fiscalCode: r.payer.entityUniqueIdentifierValue.toUpperCase() }
      : undefined;
  const office = r.officeName ?? organization.sector;
  return {
    creditor: {
      name: organization.name,
      fiscalCode: r.fiscalCode,
      ...(office ? { office } : {}),
    },
    debtor: { name: r.debtor.fullName, fiscalCode: r.debtor.entityUniqueIdentifierValue.toUpperCase() },
    ...(payer ? { payer } : {}),
    noticeNumber: r.noticeNumber,
    iuv: r.creditorReferenceId,
    description: r.description,
    amountCents: r.paymentAmount,
    ...(r.fee !== undefined ? { feeCents: r.fee } : {}),
    paidAt: (r.paymentDateTime !== undefined ? parseApiDateTime(r.paymentDateTime) : null) ?? stored.recordedAt,
    pspName: r.PSPCompanyName,
    ...(r.paymentMethod ? { paymentMethod: r.paymentMethod } : {}),
    receiptId: r.receiptId,
    outcome: r.outcome,
    transfers: [...r.transferList]
      .sort((a, b) => a.idTransfer - b.idTransfer)
      .map((t) => {
        const beneficiary = t.companyName ?? (t.fiscalCodePA === organization.fiscalCode ? organization.name : undefined);
        return {
          ...(beneficiary ? { beneficiary } : {}),
          beneficiaryFiscalCode: t.fiscalCodePA,
          amountCents: t.transferAmount,
          remittance: t.remittanceInformation,
          ...(t.IBAN ? { iban: t.IBAN } : {}),
          ...(t.MBDAttachment ? { stamp: true } : {}),
        };
      }),
  };
}

// ---------------------------------------------------------------------------------- rendering

const BLUE: Rgb = [0, 0.4, 0.8];
const INK: Rgb = [0.09, 0.2, 0.3];
const MUTED: Rgb = [0.36, 0.44, 0.51];
const LIGHT_RULE: Rgb = [0.75, 0.8, 0.85];
const OK_GREEN: Rgb = [0, 0.45, 0.25];
const KO_RED: Rgb = [0.7, 0.1, 0.1];

const MARGIN = 15 * MM;
const CONTENT_W = A4_WIDTH - 2 * MARGIN;
const RIGHT = A4_WIDTH - MARGIN;
const BOTTOM = A4_HEIGHT - 20 * MM;
const GAP = 18;
const HALF_W = (CONTENT_W - GAP) / 2;
const LABEL_W = 150;
const HEADER_H = 82;
const LOGO_BOX = 56;

export interface ReceiptRenderOptions {
  /** zlib level of the page streams; 0 writes them uncompressed (for debugging) */
  readonly compression?: number;
}

/** Renders a receipt; throws ReceiptDocumentError on a document that breaks receiptDocumentSchema. */
export function renderReceiptPdf(input: ReceiptDocument, options: ReceiptRenderOptions = {}): Uint8Array {
  const parsed = receiptDocumentSchema.safeParse(input);
  if (!parsed.success) {
    throw new ReceiptDocumentError(parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; '));
  }
  const doc = input;
  const logo = doc.creditor.logo ? logoImage(doc.creditor.logo.bytes, doc.creditor.logo.type) : undefined;
  const pages = new Pages(doc, logo);
  drawOutcome(pages, doc);
  drawParties(pages, doc);
  drawPayment(pages, doc);
  drawTransfers(pages, doc);
  return writePdf(pages.finish(), {
    title: `Ricevuta di pagamento - ${doc.description}`,
    ...(logo ? { image: logo } : {}),
    ...(options.compression !== undefined ? { compression: options.compression } : {}),
  });
}

const ROME_DATE_TIME = new Intl.DateTimeFormat('it-IT', {
  timeZone: 'Europe/Rome',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** "2026-03-31T08:05:09Z" → "31/03/2026 alle 10:05:09" (Europe/Rome wall clock). */
export function formatRomeDateTime(iso: string): string {
  const parts = ROME_DATE_TIME.formatToParts(new Date(iso));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} alle ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** The pages being drawn: a cursor `y`, and a new page (header again) when a block does not fit. */
class Pages {
  private readonly canvases: Canvas[] = [];
  c!: Canvas;
  y = 0;

  constructor(
    private readonly doc: ReceiptDocument,
    private readonly logo: PdfImage | undefined,
  ) {
    this.newPage();
  }

  /** Makes room for `h` points, starting a page when the current one has less left. */
  need(h: number): void {
    if (this.y + h > BOTTOM) this.newPage();
  }

  finish(): { content: string; usesImage: boolean }[] {
    const total = this.canvases.length;
    return this.canvases.map((c, i) => {
      c.line(MARGIN, A4_HEIGHT - 14 * MM, RIGHT, A4_HEIGHT - 14 * MM, 0.5, LIGHT_RULE);
      const note = `Ricevuta emessa da ${this.doc.creditor.name} sulla base della ricevuta telematica pagoPA.`;
      c.text(MARGIN, A4_HEIGHT - 10 * MM, fit(note, 'regular', 7, CONTENT_W - 70), 'regular', 7, MUTED);
      c.textRight(RIGHT, A4_HEIGHT - 10 * MM, `Pagina ${i + 1} di ${total}`, 'regular', 7, MUTED);
      return { content: c.content(), usesImage: this.logo !== undefined };
    });
  }

  private newPage(): void {
    this.c = new Canvas();
    this.canvases.push(this.c);
    drawHeader(this.c, this.doc, this.logo);
    this.y = MARGIN + HEADER_H;
  }
}

function drawHeader(c: Canvas, doc: ReceiptDocument, logo: PdfImage | undefined): void {
  const top = MARGIN;
  const textW = CONTENT_W - (logo ? LOGO_BOX + 12 : 0);
  c.text(MARGIN, top + 14, 'pagoPA', 'bold', 17, BLUE);
  c.text(MARGIN, top + 40, 'Ricevuta di pagamento pagoPA', 'bold', 16, INK);
  const name = wrap(doc.creditor.name, 'bold', 11, textW, 2);
  name.forEach((l, i) => c.text(MARGIN, top + 57 + i * 13, l, 'bold', 11, INK));
  if (logo) {
    const scale = Math.min(LOGO_BOX / logo.width, LOGO_BOX / logo.height);
    const w = logo.width * scale;
    const h = logo.height * scale;
    c.image('Im1', RIGHT - w, top + (LOGO_BOX - h) / 2, w, h);
  }
  c.rect(MARGIN, top + HEADER_H - 8, CONTENT_W, 1.2, INK);
}

function drawOutcome(p: Pages, doc: ReceiptDocument): void {
  const ok = doc.outcome === 'OK';
  const top = p.y + 4;
  const color = ok ? OK_GREEN : KO_RED;
  p.c.rect(MARGIN, top, 4, 52, color);
  p.c.text(MARGIN + 14, top + 13, ok ? 'PAGAMENTO ESEGUITO' : 'PAGAMENTO NON ESEGUITO', 'bold', 9, color);
  const amount = `${formatEuroItalian(doc.amountCents)} Euro`;
  p.c.text(MARGIN + 14, top + 36, amount, 'bold', 20, INK);
  const when = `${ok ? 'Pagato il' : 'Tentato il'} ${formatRomeDateTime(doc.paidAt)}`;
  p.c.text(MARGIN + 14, top + 50, when, 'regular', 8.5, INK);
  p.y = top + 70;
}

function drawParties(p: Pages, doc: ReceiptDocument): void {
  const x2 = MARGIN + HALF_W + GAP;
  const top = p.y;
  const party = (x: number, y: number, title: string, name: string, lines: string[]): number => {
    sectionTitle(p.c, x, y, HALF_W, title);
    let yy = y + 28;
    for (const l of wrap(name, 'bold', 11, HALF_W, 3)) {
      p.c.text(x, yy, l, 'bold', 11, INK);
      yy += 13;
    }
    for (const line of lines) {
      for (const l of wrap(line, 'regular', 8.5, HALF_W, 2)) {
        p.c.text(x, yy + 1, l, 'regular', 8.5, INK);
        yy += 11;
      }
    }
    return yy;
  };
  const creditorLines = [`Codice fiscale ${doc.creditor.fiscalCode}`, ...(doc.creditor.office ? [doc.creditor.office] : [])];
  const left = party(MARGIN, top, 'ENTE CREDITORE', doc.creditor.name, creditorLines);
  let right = party(x2, top, 'DEBITORE', doc.debtor.name, [`Codice fiscale ${doc.debtor.fiscalCode}`]);
  if (doc.payer) right = party(x2, right + 10, 'VERSANTE', doc.payer.name, [`Codice fiscale ${doc.payer.fiscalCode}`]);
  p.y = Math.max(left, right) + 16;
}

function drawPayment(p: Pages, doc: ReceiptDocument): void {
  p.need(60);
  sectionTitle(p.c, MARGIN, p.y, CONTENT_W, 'DATI DEL PAGAMENTO');
  p.y += 30;
  const rows: [string, string, FontId][] = [
    ['Oggetto del pagamento', doc.description, 'bold'],
    ['Codice avviso', formatNoticeNumberForPrint(doc.noticeNumber), 'mono'],
    ['Codice IUV', doc.iuv, 'mono'],
    ['Importo pagato', `${formatEuroItalian(doc.amountCents)} Euro`, 'bold'],
    ['Commissione', doc.feeCents !== undefined ? `${formatEuroItalian(doc.feeCents)} Euro` : 'non indicata nella ricevuta', 'regular'],
    ['Data e ora del pagamento', `${formatRomeDateTime(doc.paidAt)} (ora italiana)`, 'regular'],
    ['Prestatore di servizi di pagamento', doc.pspName, 'regular'],
    ...(doc.paymentMethod ? [['Metodo di pagamento', doc.paymentMethod, 'regular'] as [string, string, FontId]] : []),
    ['Identificativo ricevuta (IUR)', doc.receiptId, 'mono'],
    ['Esito', doc.outcome === 'OK' ? 'Pagamento eseguito' : 'Pagamento non eseguito', 'bold'],
  ];
  const valueX = MARGIN + LABEL_W;
  const valueW = RIGHT - valueX;
  for (const [label, value, font] of rows) {
    const lines = breakLines(value, font, 9.5, valueW, 8);
    const labels = wrap(label, 'regular', 8.5, LABEL_W - 10, 2);
    const h = Math.max(lines.length, labels.length) * 12 + 6;
    p.need(h);
    labels.forEach((l, i) => p.c.text(MARGIN, p.y + i * 12, l, 'regular', 8.5, MUTED));
    lines.forEach((l, i) => p.c.text(valueX, p.y + i * 12, l, font, 9.5, INK));
    p.y += h;
  }
  p.y += 10;
}

function drawTransfers(p: Pages, doc: ReceiptDocument): void {
  if (doc.transfers.length === 0) return;
  const amountW = 90;
  const colBen = MARGIN;
  const benW = 190;
  const colRem = MARGIN + benW + 12;
  const remW = RIGHT - amountW - 12 - colRem;
  const heading = () => {
    sectionTitle(p.c, MARGIN, p.y, CONTENT_W, doc.transfers.length === 1 ? 'DESTINATARIO DEL PAGAMENTO' : 'RIPARTIZIONE DEL PAGAMENTO');
    p.y += 26;
    p.c.text(colBen, p.y, 'Beneficiario', 'regular', 7.5, MUTED);
    p.c.text(colRem, p.y, 'Causale', 'regular', 7.5, MUTED);
    p.c.textRight(RIGHT, p.y, 'Importo (Euro)', 'regular', 7.5, MUTED);
    p.y += 14;
  };
  p.need(80);
  heading();
  doc.transfers.forEach((t, k) => {
    const ben: [string, FontId, number][] = [
      ...wrap(t.beneficiary ?? `Ente ${t.beneficiaryFiscalCode}`, 'bold', 9, benW, 3).map((l): [string, FontId, number] => [l, 'bold', 9]),
      [`Codice fiscale ${t.beneficiaryFiscalCode}`, 'regular', 7.5],
      ...(t.iban ? breakLines(`IBAN ${t.iban}`, 'regular', 7.5, benW, 2).map((l): [string, FontId, number] => [l, 'regular', 7.5]) : []),
      ...(t.stamp ? [['Marca da bollo digitale', 'regular', 7.5] as [string, FontId, number]] : []),
    ];
    const rem = t.remittance.trim() ? breakLines(t.remittance, 'regular', 9, remW, 6) : ['-'];
    const h = Math.max(ben.length, rem.length) * 11 + 8;
    if (p.y + h > BOTTOM) {
      p.need(h + 60);
      heading();
    }
    ben.forEach(([l, font, size], i) => p.c.text(colBen, p.y + i * 11, l, font, size, INK));
    rem.forEach((l, i) => p.c.text(colRem, p.y + i * 11, l, 'regular', 9, INK));
    p.c.textRight(RIGHT, p.y, formatEuroItalian(t.amountCents), 'mono', 9.5, INK);
    p.y += h;
    if (k < doc.transfers.length - 1) p.c.line(MARGIN, p.y - 8, RIGHT, p.y - 8, 0.5, LIGHT_RULE);
  });
}

// ---------------------------------------------------------------------------------- helpers

function sectionTitle(c: Canvas, x: number, top: number, w: number, title: string): void {
  c.rect(x, top, w, 1.2, INK);
  c.text(x, top + 12, fit(title, 'bold', 7.5, w), 'bold', 7.5, INK);
}

/**
 * Word wrap that also breaks a word wider than the line (a long receipt id or IBAN has no spaces):
 * such a word is cut into pieces that fit instead of being truncated. At most `maxLines` lines;
 * the last one ends in "…" when text is left over.
 */
function breakLines(text: string, font: FontId, size: number, width: number, maxLines: number): string[] {
  const pieces: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    let rest = word;
    while (measure(rest, font, size) > width) {
      let n = 1;
      while (n < rest.length && measure(rest.slice(0, n + 1), font, size) <= width) n++;
      pieces.push(rest.slice(0, n));
      rest = rest.slice(n);
    }
    pieces.push(rest);
  }
  return wrap(pieces.join(' '), font, size, width, maxLines);
}
