/**
 * The pagoPA payment notice (avviso di pagamento) as PDF bytes. Pure: data in, bytes out.
 *
 * Layout after pagoPA's notice guide and its official templates (pagopa-template-notice-pdf):
 *  page 1   header (pagoPA, "Avviso di pagamento", subject, creditor logo)
 *           creditor | recipient
 *           "Quanto e quando pagare?" | "Dove pagare?"
 *           "Dati per il pagamento": the rata unica with its QR code            (if any)
 *           "Bollettino postale PA" for the rata unica                          (postal account)
 *           without a postal account: the first band of installments (2 or 3 per band)
 *  page 2+  the header again; bands of installments: 3 bands of 2 or 3 without a postal
 *           account; with one, a band of 2 followed by the 2 bollettini (as the guide does).
 * Everything is drawn with the standard PDF fonts; barcodes are vector rectangles: QR 25×25 mm
 * (version 4, level M), Data Matrix 22×22 mm.
 */
import { formatEuroItalian } from '../domain/money';
import { formatNoticeNumberForPrint } from '../domain/notice-number';
import { posteDataMatrixPayload, qrPayload } from './barcodes';
import { encodeDataMatrix } from './datamatrix';
import type { FontId } from './fonts';
import { logoImage } from './logo';
import { A4_HEIGHT, A4_WIDTH, Canvas, MM, measure, writePdf, type PdfImage, type PdfPage, type Rgb } from './pdf';
import { encodeQr } from './qr';
import { formatAddressLines, parseNoticeDocument, type NoticeDocument, type ValidNoticeDocument } from '../domain/notice/document';

const BLUE: Rgb = [0, 0.4, 0.8];
const INK: Rgb = [0.09, 0.2, 0.3];
const MUTED: Rgb = [0.36, 0.44, 0.51];
const RULE: Rgb = [0.09, 0.2, 0.3];
const LIGHT_RULE: Rgb = [0.75, 0.8, 0.85];

const MARGIN = 10 * MM;
const CONTENT_W = A4_WIDTH - 2 * MARGIN;
const RIGHT = A4_WIDTH - MARGIN;
const GAP = 14;
const HALF_W = (CONTENT_W - GAP) / 2;
const QR_SIDE = 25 * MM;
const DM_SIDE = 22 * MM;
const HEADER_H = 74;
const BAND_H = 236;
const POSTE_H = 176;

export interface RenderOptions {
  /** zlib level of the page streams; 0 writes them uncompressed (for debugging) */
  readonly compression?: number;
}

interface Payment {
  readonly nav: string;
  readonly amountCents: number;
  readonly dueDate?: string;
  /** 1-based installment number; undefined for the rata unica */
  readonly index?: number;
}

/** Renders a notice; throws NoticeValidationError (clear messages) on invalid input. */
export function renderNotice(input: NoticeDocument, options: RenderOptions = {}): Uint8Array {
  const doc = parseNoticeDocument(input);
  const logo = doc.creditor.logo ? logoImage(doc.creditor.logo.bytes, doc.creditor.logo.type) : undefined;
  const pages = layoutPages(doc, logo);
  return writePdf(pages, {
    title: `Avviso di pagamento - ${doc.subject}`,
    ...(logo ? { image: logo } : {}),
    ...(options.compression !== undefined ? { compression: options.compression } : {}),
  });
}

/** "2025-12-31" → "31/12/2025" (a due date is a calendar day in Europe/Rome already). */
export function formatDueDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** Installments per band on page 1 and on later pages (official template's paginator). */
export function installmentColumns(count: number, withPoste: boolean): { first: number; next: number } {
  if (withPoste) return { first: 2, next: 2 };
  switch (count) {
    case 2: return { first: 2, next: 2 };
    case 3: return { first: 3, next: 3 };
    case 4: return { first: 2, next: 2 };
    case 5: return { first: 2, next: 3 };
    case 6: return { first: 2, next: 2 };
    case 7: return { first: 3, next: 2 };
    case 8: return { first: 2, next: 3 };
    default: return { first: 3, next: 3 };
  }
}

function layoutPages(doc: ValidNoticeDocument, logo: PdfImage | undefined): PdfPage[] {
  const withPoste = doc.creditor.postalAccount !== undefined;
  const installments: Payment[] = doc.installments.map((i, k) => ({ ...i, index: k + 1 }));
  const { first, next } = installmentColumns(installments.length, withPoste);
  const canvases: Canvas[] = [];
  const newPage = () => {
    const c = new Canvas();
    drawHeader(c, doc, logo);
    canvases.push(c);
    return c;
  };

  // Page 1
  const c1 = newPage();
  let y = MARGIN + HEADER_H;
  y = drawMainInfo(c1, doc, y);
  y = drawPaymentInfo(c1, doc, y);
  let rest = installments;
  if (doc.singlePayment) {
    y = drawSinglePayment(c1, doc, y);
    if (withPoste) y = drawPoste(c1, doc, doc.singlePayment, y);
  }
  if (!withPoste && rest.length > 0) {
    // what fits on page 1: one band after the rata unica, two without it
    const bands = doc.singlePayment ? 1 : 2;
    for (let b = 0; b < bands && rest.length > 0; b++) {
      const cols = b === 0 ? first : next;
      y = drawInstallmentBand(c1, doc, rest.slice(0, cols), cols, y);
      rest = rest.slice(cols);
    }
  }
  // Later pages
  while (rest.length > 0) {
    const c = newPage();
    let py = MARGIN + HEADER_H;
    if (withPoste) {
      const band = rest.slice(0, 2);
      py = drawInstallmentBand(c, doc, band, 2, py);
      for (const p of band) py = drawPoste(c, doc, p, py);
      rest = rest.slice(2);
    } else {
      for (let b = 0; b < 3 && rest.length > 0; b++) {
        py = drawInstallmentBand(c, doc, rest.slice(0, next), next, py);
        rest = rest.slice(next);
      }
    }
  }
  const total = canvases.length;
  return canvases.map((c, i) => {
    c.textRight(RIGHT, A4_HEIGHT - 16, `Pagina ${i + 1} di ${total}`, 'regular', 6.5, MUTED);
    return { content: c.content(), usesImage: logo !== undefined };
  });
}

// ---------------------------------------------------------------------------------- blocks

function drawHeader(c: Canvas, doc: ValidNoticeDocument, logo: PdfImage | undefined): void {
  const top = MARGIN;
  c.text(MARGIN, top + 14, 'pagoPA', 'bold', 17, BLUE);
  const titleX = MARGIN + measure('pagoPA', 'bold', 17) + 10;
  c.text(titleX, top + 12.5, 'AVVISO DI PAGAMENTO', 'bold', 8, INK);
  const logoBox = 58;
  const subjectW = CONTENT_W - (logo ? logoBox + 12 : 0);
  const lines = wrap(doc.subject, 'bold', 15, subjectW, 2);
  lines.forEach((l, i) => c.text(MARGIN, top + 38 + i * 17, l, 'bold', 15, INK));
  if (logo) {
    const scale = Math.min(logoBox / logo.width, logoBox / logo.height);
    const w = logo.width * scale;
    const h = logo.height * scale;
    c.image('Im1', RIGHT - w, top + (logoBox - h) / 2, w, h);
  }
}

function drawMainInfo(c: Canvas, doc: ValidNoticeDocument, top: number): number {
  const { creditor, debtor } = doc;
  const x2 = MARGIN + HALF_W + GAP;
  sectionTitle(c, MARGIN, top, HALF_W, 'ENTE CREDITORE', creditor.fiscalCode);
  let y = top + 32;
  for (const l of wrap(creditor.name, 'bold', 12, HALF_W, 2)) {
    c.text(MARGIN, y, l, 'bold', 12, INK);
    y += 14;
  }
  if (creditor.sector) {
    c.text(MARGIN, y + 1, fit(creditor.sector, 'regular', 9, HALF_W), 'regular', 9, INK);
    y += 13;
  }
  if (creditor.info) {
    for (const l of wrap(`Info: ${creditor.info}`, 'regular', 7.5, HALF_W, 2)) {
      c.text(MARGIN, y + 2, l, 'regular', 7.5, MUTED);
      y += 9.5;
    }
  }

  sectionTitle(c, x2, top, HALF_W, 'DESTINATARIO AVVISO', debtor.fiscalCode.toUpperCase());
  let y2 = top + 32;
  for (const l of wrap(debtor.fullName, 'bold', 12, HALF_W, 2)) {
    c.text(x2, y2, l, 'bold', 12, INK);
    y2 += 14;
  }
  for (const l of formatAddressLines(debtor.address)) {
    c.text(x2, y2 + 1, fit(l, 'regular', 9, HALF_W), 'regular', 9, INK);
    y2 += 11.5;
  }
  return top + 98;
}

const LEGAL =
  'In fase di pagamento l\u2019importo potrebbe subire aumenti (per sanzioni, interessi, costi di notifica o altri fattori) o riduzioni (per sgravi o note di credito).';
const APP_IO =
  'oppure dal tuo Home Banking, con la tua app di pagamento o con gli altri canali abilitati.';
const TERRITORY =
  'presso Banche e Sportelli ATM, negli Uffici Postali e Punti Postali, nei Bar, Edicole, Ricevitorie, Supermercati, Tabaccherie e altri Esercenti Convenzionati.';

function drawPaymentInfo(c: Canvas, doc: ValidNoticeDocument, top: number): number {
  const single = doc.singlePayment;
  const n = doc.installments.length;
  const dueDate = single ? single.dueDate : undefined;
  const amount = single ? single.amountCents : doc.installments.reduce((s, i) => s + i.amountCents, 0);
  sectionTitle(c, MARGIN, top, HALF_W, dueDate || (!single && n > 0) ? 'QUANTO E QUANDO PAGARE?' : 'QUANTO PAGARE?');
  c.text(MARGIN, top + 28, single ? 'Importo' : 'Importo totale', 'bold', 8, INK);
  c.text(MARGIN, top + 48, `${formatEuroItalian(amount)} Euro`, 'bold', 18, INK);
  if (dueDate) {
    const x = MARGIN + Math.max(140, measure(`${formatEuroItalian(amount)} Euro`, 'bold', 18) + 22);
    c.text(x, top + 28, 'entro il', 'bold', 8, INK);
    c.text(x, top + 48, formatDueDate(dueDate), 'bold', 18, INK);
  }
  let y = top + 66;
  const paragraphs: string[] = [];
  if (single && n > 0) paragraphs.push(`Puoi pagare per intero o in ${n} rate.`);
  if (!single) paragraphs.push(`Puoi pagare in ${n} rate. Importi e scadenze sono riportati nel dettaglio di ogni singola rata.`);
  paragraphs.push(LEGAL);
  for (const p of paragraphs) {
    c.rect(MARGIN, y - 6.5, 7, 7, BLUE);
    c.text(MARGIN + 2.6, y - 0.8, 'i', 'bold', 6.5, [1, 1, 1]);
    for (const l of wrap(p, 'regular', 7.5, HALF_W - 14, 4)) {
      c.text(MARGIN + 12, y, l, 'regular', 7.5, INK);
      y += 9.5;
    }
    y += 3;
  }

  const x2 = MARGIN + HALF_W + GAP;
  sectionTitle(c, x2, top, HALF_W, 'DOVE PAGARE?', 'pagopa.gov.it');
  let y2 = top + 28;
  c.text(x2, y2, 'PAGA CON L\u2019APP IO', 'bold', 8, INK);
  y2 += 10.5;
  for (const l of wrap(APP_IO, 'regular', 7.5, HALF_W, 3)) {
    c.text(x2, y2, l, 'regular', 7.5, INK);
    y2 += 9.5;
  }
  y2 += 6;
  c.text(x2, y2, 'PAGA SUL TERRITORIO', 'bold', 8, INK);
  y2 += 10.5;
  for (const l of wrap(TERRITORY, 'regular', 7.5, HALF_W, 4)) {
    c.text(x2, y2, l, 'regular', 7.5, INK);
    y2 += 9.5;
  }
  return Math.max(y, y2, top + 120) + 12;
}

function drawSinglePayment(c: Canvas, doc: ValidNoticeDocument, top: number): number {
  const p = doc.singlePayment!;
  const due = p.dueDate ? `Rata unica entro il ${formatDueDate(p.dueDate)}` : 'Rata unica';
  sectionTitle(c, MARGIN, top, CONTENT_W, 'DATI PER IL PAGAMENTO', due);
  const qrTop = top + 20;
  c.matrix(encodeQr(qrPayload(p.nav, doc.creditor.fiscalCode, p.amountCents)), MARGIN, qrTop, QR_SIDE);
  let iy = qrTop + QR_SIDE + 11;
  for (const l of wrap('Inquadra il codice QR con la tua app di pagamento o usa i dati accanto.', 'regular', 7, 105, 3)) {
    c.text(MARGIN, iy, l, 'regular', 7, INK);
    iy += 8.5;
  }
  const x = MARGIN + 122;
  const w = RIGHT - x;
  const amountText = formatEuroItalian(p.amountCents);
  c.textRight(RIGHT, qrTop + 7, 'Euro', 'regular', 7, MUTED);
  c.textRight(RIGHT, qrTop + 22, amountText, 'mono', 14, INK);
  const valueW = w - measure(amountText, 'mono', 14) - 16;
  let y = qrTop + 7;
  y = labelValue(c, x, y, 'Destinatario', doc.debtor.fullName, valueW, 1);
  y = labelValue(c, x, y, 'Ente creditore', doc.creditor.name, valueW, 1);
  labelValue(c, x, y, 'Oggetto del pagamento', p.description ?? doc.subject, w, 2);
  const codesTop = qrTop + 92;
  c.line(x, codesTop - 8, RIGHT, codesTop - 8, 0.5, LIGHT_RULE);
  if (doc.creditor.cbill) monoValue(c, x, codesTop, 'Cod. CBILL', doc.creditor.cbill, 10);
  monoValue(c, x + 70, codesTop, 'Cod. Avviso', formatNoticeNumberForPrint(p.nav), 11);
  c.textRight(RIGHT, codesTop, 'Cod. Fiscale Ente', 'regular', 7, MUTED);
  c.textRight(RIGHT, codesTop + 13, doc.creditor.fiscalCode, 'mono', 10, INK);
  return top + 140;
}

function drawInstallmentBand(c: Canvas, doc: ValidNoticeDocument, items: Payment[], cols: number, top: number): number {
  const cellW = (CONTENT_W - GAP * (cols - 1)) / cols;
  items.forEach((p, k) => {
    const x = MARGIN + k * (cellW + GAP);
    sectionTitle(c, x, top, cellW, `RATA ${p.index}`, p.dueDate ? `entro il ${formatDueDate(p.dueDate)}` : undefined);
    const qrTop = top + 20;
    c.matrix(encodeQr(qrPayload(p.nav, doc.creditor.fiscalCode, p.amountCents)), x + cellW - QR_SIDE, qrTop, QR_SIDE);
    monoValue(c, x, qrTop + 7, 'Euro', formatEuroItalian(p.amountCents), 12);
    if (p.dueDate) monoValue(c, x, qrTop + 37, 'entro il', formatDueDate(p.dueDate), 12);
    let y = qrTop + QR_SIDE + 14;
    monoValue(c, x, y, 'Cod. Avviso', formatNoticeNumberForPrint(p.nav), cols === 3 ? 9.5 : 11);
    y += 28;
    monoValue(c, x, y, 'Cod. Fiscale Ente', doc.creditor.fiscalCode, 9);
    if (doc.creditor.cbill) monoValue(c, x + Math.max(85, cellW / 2), y, 'Cod. CBILL', doc.creditor.cbill, 9);
    y += 28;
    y = labelValue(c, x, y, 'Oggetto del pagamento', doc.subject, cellW, 2);
    y = labelValue(c, x, y, 'Ente creditore', doc.creditor.name, cellW, 1);
    y += 3;
    for (const l of wrap('Inquadra il codice QR con la tua app di pagamento o usa i dati sopra.', 'regular', 7, cellW, 2)) {
      c.text(x, y, l, 'regular', 7, MUTED);
      y += 8.5;
    }
  });
  return top + BAND_H;
}

function drawPoste(c: Canvas, doc: ValidNoticeDocument, p: Payment, top: number): number {
  const account = doc.creditor.postalAccount!;
  // dashed cut line above the bollettino
  c.line(MARGIN, top - 7, RIGHT, top - 7, 0.6, MUTED, [3, 2]);
  const due = p.dueDate ? ` entro il ${formatDueDate(p.dueDate)}` : '';
  const right = p.index === undefined ? `Rata unica${due}` : `Rata ${p.index}${due}`;
  sectionTitle(c, MARGIN, top, CONTENT_W, 'BOLLETTINO POSTALE PA', right);
  const bodyTop = top + 22;
  // left: Poste Italiane / BancoPosta marks and the description
  c.text(MARGIN, bodyTop + 12, 'Poste', 'bold', 15, INK);
  c.text(MARGIN + measure('Poste', 'bold', 15), bodyTop + 12, 'italiane', 'regular', 15, INK);
  c.text(MARGIN, bodyTop + 26, 'BancoPosta', 'bold', 9, INK);
  let ly = bodyTop + 42;
  const desc =
    'Bollettino Postale pagabile in tutti gli Uffici Postali e sui canali fisici o digitali abilitati di Poste Italiane e dell\u2019Ente Creditore.';
  for (const l of wrap(desc, 'regular', 7, 112, 6)) {
    c.text(MARGIN, ly, l, 'regular', 7, INK);
    ly += 8.5;
  }
  if (account.authorizationCode) {
    for (const l of wrap(account.authorizationCode, 'regular', 5.5, 112, 2)) {
      c.text(MARGIN, ly + 4, l, 'regular', 5.5, MUTED);
      ly += 7;
    }
  }
  // middle: account, holder, recipient, subject, codes
  const x = MARGIN + 128;
  c.rect(x, bodyTop, 18, 18, INK);
  c.text(x + 4.5, bodyTop + 13, '\u20ac', 'bold', 12, [1, 1, 1]);
  c.text(x + 24, bodyTop + 7, 'sul C/C n.', 'regular', 7, MUTED);
  c.text(x + 24, bodyTop + 18, account.number, 'mono', 12, INK);
  c.textRight(RIGHT, bodyTop + 7, 'Euro', 'regular', 7, MUTED);
  c.textRight(RIGHT, bodyTop + 20, formatEuroItalian(p.amountCents), 'mono', 14, INK);
  const dmX = RIGHT - DM_SIDE;
  const dmTop = bodyTop + 30;
  const textW = dmX - x - 12;
  let y = bodyTop + 36;
  y = inlineLabel(c, x, y, 'Intestato a', account.holder, textW);
  y = inlineLabel(c, x, y, 'Destinatario', doc.debtor.fullName, textW);
  inlineLabel(c, x, y, 'Oggetto pagamento', doc.subject, textW, 2);
  const codesTop = bodyTop + 100;
  c.line(x, codesTop - 8, dmX - 12, codesTop - 8, 0.5, LIGHT_RULE);
  monoValue(c, x, codesTop, 'Codice Avviso', formatNoticeNumberForPrint(p.nav), 10);
  monoValue(c, x + 150, codesTop, 'Tipo', 'P1', 10);
  c.textRight(dmX - 12, codesTop, 'Cod. Fiscale Ente', 'regular', 7, MUTED);
  c.textRight(dmX - 12, codesTop + 13, doc.creditor.fiscalCode, 'mono', 10, INK);
  const payload = posteDataMatrixPayload({
    nav: p.nav,
    postalAccount: account.number,
    amountCents: p.amountCents,
    creditorFiscalCode: doc.creditor.fiscalCode,
    debtorFiscalCode: doc.debtor.fiscalCode,
    debtorName: doc.debtor.fullName,
    subject: doc.subject,
  });
  c.matrix(encodeDataMatrix(payload), dmX, dmTop, DM_SIDE);
  return top + POSTE_H;
}

// ---------------------------------------------------------------------------------- helpers

function sectionTitle(c: Canvas, x: number, top: number, w: number, title: string, right?: string): void {
  c.rect(x, top, w, 1.2, RULE);
  c.text(x, top + 12, title, 'bold', 7.5, INK);
  if (right) c.textRight(x + w, top + 12, fit(right, 'bold', 7.5, w - measure(title, 'bold', 7.5) - 10), 'bold', 7.5, INK);
}

/** A small muted label and, under it, a bold value wrapped to `maxLines`; returns the next y. */
function labelValue(c: Canvas, x: number, top: number, label: string, value: string, w: number, maxLines: number): number {
  c.text(x, top, label, 'regular', 7, MUTED);
  let y = top + 10;
  for (const l of wrap(value, 'bold', 8, w, maxLines)) {
    c.text(x, y, l, 'bold', 8, INK);
    y += 9.5;
  }
  return y + 5;
}

function inlineLabel(c: Canvas, x: number, top: number, label: string, value: string, w: number, maxLines = 1): number {
  c.text(x, top, label, 'regular', 7, MUTED);
  const vx = x + 68;
  let y = top;
  for (const l of wrap(value, 'bold', 8, w - 68, maxLines)) {
    c.text(vx, y, l, 'bold', 8, INK);
    y += 9.5;
  }
  return y + 5;
}

function monoValue(c: Canvas, x: number, top: number, label: string, value: string, size: number): void {
  c.text(x, top, label, 'regular', 7, MUTED);
  c.text(x, top + size + 2, value, 'mono', size, INK);
}

const wrapCache = new Map<string, string[]>();

/**
 * Greedy word wrap on Helvetica metrics; the last allowed line ends in "…" when cut. Memoised
 * (bounded): the fixed texts and a creditor's own texts repeat on every notice it prints.
 */
export function wrap(text: string, font: FontId, size: number, width: number, maxLines: number): string[] {
  const key = `${font}|${size}|${width}|${maxLines}|${text}`;
  const hit = wrapCache.get(key);
  if (hit) return hit;
  const lines = wrapUncached(text, font, size, width, maxLines);
  if (wrapCache.size >= 512) wrapCache.clear();
  wrapCache.set(key, lines);
  return lines;
}

function wrapUncached(text: string, font: FontId, size: number, width: number, maxLines: number): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate, font, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) {
      lines.push(line);
      line = word;
    } else {
      line = word;
    }
    if (lines.length === maxLines) {
      lines[maxLines - 1] = fit(`${lines[maxLines - 1]} ${words.slice(i).join(' ')}`, font, size, width);
      return lines;
    }
    if (measure(line, font, size) > width) {
      // a single word wider than the line
      if (lines.length === maxLines - 1) {
        lines.push(fit(words.slice(i).join(' '), font, size, width));
        return lines;
      }
      lines.push(fit(line, font, size, width));
      line = '';
    }
  }
  if (line) {
    if (lines.length === maxLines) lines[maxLines - 1] = fit(`${lines[maxLines - 1]} ${line}`, font, size, width);
    else lines.push(line);
  }
  return lines;
}

/** Truncates to `width` with a trailing "…". */
export function fit(text: string, font: FontId, size: number, width: number): string {
  if (measure(text, font, size) <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${text.slice(0, mid).trimEnd()}\u2026`, font, size) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo).trimEnd()}\u2026`;
}
