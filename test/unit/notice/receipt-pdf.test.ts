/**
 * The citizen's PDF receipt, read back the way a person would: text extracted by poppler's
 * pdftotext (plain, -layout for rows, -bbox for where each word lies on the page).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../../shared/domain/organization';
import type { Receipt } from '../../../shared/domain/receipt';
import { ReceiptDocumentError, receiptDocumentOf, renderReceiptPdf, type ReceiptDocument } from '../../../shared/notice';
import type { StoredReceipt } from '../../../shared/use-cases/receipts/ports';
import { pdfText } from './decode';

const CF = '00743110157';
const NAV = '302000000000000184';
const RECEIPT_ID = 'c3a5e7f0b2d44b8e9f1a6c0d2e4b6a81';

const organization: Organization = {
  fiscalCode: CF,
  name: 'Comune di Città di Castello',
  sector: 'Servizio Tributi',
  segregationCode: '02',
  brokerId: CF,
  stationId: `${CF}_01`,
  ibans: ['IT60X0542811101000000123456'],
  status: 'ACTIVE',
  createdAt: '2025-01-01T00:00:00.000Z',
};

function receipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    receiptId: RECEIPT_ID,
    noticeNumber: NAV,
    fiscalCode: CF,
    outcome: 'OK',
    creditorReferenceId: NAV.slice(1),
    paymentAmount: 102099,
    description: 'TARI 2026 - rata unica',
    companyName: 'Comune di Citta di Castello',
    debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'BNCNCC80A01C745X', fullName: 'Niccolò Bianchi' },
    transferList: [
      { idTransfer: 1, transferAmount: 102099, fiscalCodePA: CF, IBAN: 'IT60X0542811101000000123456', remittanceInformation: 'Tassa rifiuti 2026', transferCategory: '9/0101108TS/' },
    ],
    idPSP: 'BCITITMM',
    PSPCompanyName: 'Intesa Sanpaolo S.p.A.',
    idChannel: '00799960158_01',
    channelDescription: 'app',
    paymentDateTime: '2026-03-31T10:05:09',
    fee: 150,
    ...overrides,
  };
}

function stored(r: Receipt): StoredReceipt {
  return {
    organizationFiscalCode: CF,
    iuv: r.creditorReferenceId,
    nav: r.noticeNumber,
    receiptId: r.receiptId,
    state: r.outcome === 'OK' ? 'APPLIED' : 'KO',
    iupd: 'TARI-2026-0001',
    recordedAt: '2026-03-31T08:06:00.000Z',
    receipt: r,
  };
}

const render = (r: Receipt) => renderReceiptPdf(receiptDocumentOf(stored(r), organization));

interface Word {
  text: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** Every word pdftotext finds, with its box in points (origin top-left), page by page. */
function words(pdf: Uint8Array): Word[][] {
  const dir = mkdtempSync(join(tmpdir(), 'receipt-bbox-'));
  try {
    const file = join(dir, 'r.pdf');
    writeFileSync(file, pdf);
    const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-']).toString('utf8');
    return html
      .split('<page ')
      .slice(1)
      .map((page) =>
        [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
          xMin: Number(m[1]),
          yMin: Number(m[2]),
          xMax: Number(m[3]),
          yMax: Number(m[4]),
          text: m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"'),
        })),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('renderReceiptPdf: one transfer', () => {
  const pdf = render(receipt());
  const [text = ''] = pdfText(pdf);
  const layout = pdfText(pdf, true)[0] ?? '';

  it('is one A4 page', () => {
    expect(new TextDecoder('latin1').decode(pdf.subarray(0, 8))).toBe('%PDF-1.4');
    expect(pdfText(pdf)).toHaveLength(1);
    expect(new TextDecoder('latin1').decode(pdf)).toContain('/MediaBox [0 0 595.28 841.89]');
  });

  it('prints the title, the municipality, the amount, the notice number in groups and the receipt id', () => {
    expect(text).toContain('Ricevuta di pagamento pagoPA');
    expect(text).toContain('PAGAMENTO ESEGUITO');
    expect(text).toContain('1.020,99 Euro');
    expect(text).toContain('3020 0000 0000 0001 84');
    expect(text).toContain('02000000000000184');
    expect(text).toContain(RECEIPT_ID);
    expect(text).toContain('Intesa Sanpaolo S.p.A.');
    expect(text).toContain('Servizio Tributi');
  });

  it('prints accented names as they are', () => {
    expect(text).toContain('Comune di Città di Castello');
    expect(text).toContain('Niccolò Bianchi');
    expect(text).toContain('BNCNCC80A01C745X');
    expect(text).not.toContain('Citta di Castello');
  });

  it('prints the payment time in Rome and the fee', () => {
    // no offset: Europe/Rome wall clock, printed as given
    expect(text).toContain('31/03/2026 alle 10:05:09 (ora italiana)');
    expect(flat(layout)).toMatch(/Commissione 1,50 Euro/);
  });

  it('prints the transfer: beneficiary, remittance and amount on one row', () => {
    expect(flat(layout)).toMatch(/Comune di Città di Castello Tassa rifiuti 2026 1\.020,99/);
    expect(text).toContain('IBAN IT60X0542811101000000123456');
  });

  it('stays inside the margins', () => {
    for (const w of words(pdf)[0]!) {
      expect(w.xMin).toBeGreaterThanOrEqual(15 * (72 / 25.4) - 0.5);
      expect(w.xMax).toBeLessThanOrEqual(595.28 - 15 * (72 / 25.4) + 0.5);
    }
  });
});

describe('renderReceiptPdf: several transfers', () => {
  const r = receipt({
    paymentAmount: 15600,
    description: 'Canone unico patrimoniale 2026',
    transferList: [
      { idTransfer: 2, transferAmount: 1600, fiscalCodePA: '80017210727', companyName: 'Provincia di Perugia', IBAN: 'IT02A0306909606100000063152', remittanceInformation: 'Tributo provinciale TEFA', transferCategory: '9/0101101IM/' },
      { idTransfer: 1, transferAmount: 12000, fiscalCodePA: CF, IBAN: 'IT60X0542811101000000123456', remittanceInformation: 'Canone occupazione suolo', transferCategory: '9/0101108TS/' },
      { idTransfer: 3, transferAmount: 2000, fiscalCodePA: '97532760580', MBDAttachment: 'PG1hcmNhQm9sbG8+', remittanceInformation: 'Imposta di bollo', transferCategory: '9/0301116TS/9/' },
    ],
  });
  const pdf = render(r);
  const layout = flat(pdfText(pdf, true)[0] ?? '');
  const text = pdfText(pdf)[0] ?? '';

  it('prints every transfer in order with its beneficiary, remittance and amount', () => {
    const first = layout.search(/Comune di Città di Castello Canone occupazione suolo 120,00/);
    const second = layout.search(/Provincia di Perugia Tributo provinciale TEFA 16,00/);
    const third = layout.search(/Ente 97532760580 Imposta di bollo 20,00/);
    expect([first, second, third].every((i) => i >= 0)).toBe(true);
    expect(first).toBeLessThan(second);
    expect(second).toBeLessThan(third);
    expect(text).toContain('Marca da bollo digitale');
    expect(text).toContain('RIPARTIZIONE DEL PAGAMENTO');
    expect(text).toContain('156,00 Euro');
  });
});

describe('renderReceiptPdf: a long description', () => {
  const description =
    'Servizio di refezione scolastica per la scuola primaria Niccolò Tommaseo, anno scolastico 2025/2026, secondo quadrimestre, ' +
    'quota fissa e quote variabili dei pasti consumati da gennaio a giugno, comprese le diete speciali';
  const pdf = render(receipt({ description, transferList: [{ ...receipt().transferList[0]!, remittanceInformation: description }] }));
  const page = words(pdf)[0]!;

  it('wraps over several lines, keeps every word and stays inside the page', () => {
    const text = flat(pdfText(pdf)[0] ?? '');
    expect(text).toContain(description);
    const lines = new Set(page.filter((w) => w.text === 'refezione' || w.text === 'speciali').map((w) => Math.round(w.yMin)));
    expect(lines.size).toBeGreaterThanOrEqual(4); // two words on different lines, in the payment data and the transfer
    for (const w of page) {
      expect(w.xMax).toBeLessThanOrEqual(595.28 - 15 * (72 / 25.4) + 0.5);
      expect(w.yMax).toBeLessThanOrEqual(841.89);
    }
    expect(pdfText(pdf)).toHaveLength(1);
  });

  it('does not let the description run over the columns beside it', () => {
    // in the transfer row the remittance column ends where the amount column begins
    const amount = page.find((w) => w.text === '1.020,99' && w.yMin > 500)!;
    expect(amount).toBeDefined();
    const sameBand = page.filter((w) => w.yMin >= amount.yMin - 1 && w.yMin < amount.yMin + 60 && w !== amount);
    for (const w of sameBand) expect(w.xMax < amount.xMin || w.xMin > amount.xMax).toBe(true);
  });
});

describe('receiptDocumentOf', () => {
  it('maps a stored receipt to what is printed', () => {
    const doc = receiptDocumentOf(stored(receipt({ paymentDateTime: '2026-01-15T08:00:00Z' })), organization);
    expect(doc).toMatchObject<Partial<ReceiptDocument>>({
      creditor: { name: 'Comune di Città di Castello', fiscalCode: CF, office: 'Servizio Tributi' },
      debtor: { name: 'Niccolò Bianchi', fiscalCode: 'BNCNCC80A01C745X' },
      noticeNumber: NAV,
      iuv: NAV.slice(1),
      amountCents: 102099,
      feeCents: 150,
      paidAt: '2026-01-15T08:00:00.000Z',
      pspName: 'Intesa Sanpaolo S.p.A.',
      receiptId: RECEIPT_ID,
      outcome: 'OK',
    });
    expect(doc.transfers).toEqual([
      { beneficiary: 'Comune di Città di Castello', beneficiaryFiscalCode: CF, amountCents: 102099, remittance: 'Tassa rifiuti 2026', iban: 'IT60X0542811101000000123456' },
    ]);
    expect(doc.payer).toBeUndefined();
  });

  it('without a payment date uses when the layer recorded the receipt; an office on the receipt wins', () => {
    const doc = receiptDocumentOf(stored(receipt({ paymentDateTime: undefined, officeName: 'Ufficio Entrate' })), organization);
    expect(doc.paidAt).toBe('2026-03-31T08:06:00.000Z');
    expect(doc.creditor.office).toBe('Ufficio Entrate');
    expect(pdfText(renderReceiptPdf(doc))[0]).toContain('31/03/2026 alle 10:06:00');
  });

  it('prints the payer when someone else paid, and no fee when the receipt has none', () => {
    const r = receipt({
      fee: undefined,
      paymentDateTime: '2026-01-15T08:00:00Z',
      payer: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
    });
    const text = pdfText(render(r))[0] ?? '';
    expect(text).toContain('VERSANTE');
    expect(text).toContain('Mario Rossi');
    expect(text).toContain('non indicata nella ricevuta');
    expect(text).toContain('15/01/2026 alle 09:00:00'); // 08:00 UTC is 09:00 in Rome in winter
  });

  it('prints a KO receipt as not paid', () => {
    const text = pdfText(render(receipt({ outcome: 'KO' })))[0] ?? '';
    expect(text).toContain('PAGAMENTO NON ESEGUITO');
    expect(text).not.toContain('PAGAMENTO ESEGUITO');
  });
});

describe('renderReceiptPdf: invalid documents', () => {
  it('throws ReceiptDocumentError naming the field', () => {
    const doc = receiptDocumentOf(stored(receipt()), organization);
    expect(() => renderReceiptPdf({ ...doc, noticeNumber: '3020' })).toThrow(ReceiptDocumentError);
    expect(() => renderReceiptPdf({ ...doc, amountCents: 10.5 })).toThrow(/amountCents/);
  });
});
