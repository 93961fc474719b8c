/**
 * The rendered PDF, read back the way a person or a payment app would: rasterised by poppler and
 * scanned by zxing-cpp (QR and Data Matrix), text extracted by pdftotext.
 */
import { describe, expect, it } from 'vitest';
import { formatEuroItalian } from '../../../shared/domain/money';
import { formatNoticeNumberForPrint } from '../../../shared/domain/notice-number';
import { NoticeValidationError, posteDataMatrixPayload, renderNotice, type NoticeDocument } from '../../../shared/notice';
import { sampleLogoPng } from '../../../scripts/notice-preview';
import { installmentsOnlyNotice, installmentsPosteNotice, nav, noDueDateNotice, singleNotice } from '../../fixtures/notice/examples';
import { decodeBarcodes, pdfText, rasterisePdf } from './decode';

const CF = '00743110157';

async function barcodesByPage(pdf: Uint8Array) {
  const pages = rasterisePdf(pdf, 250);
  const out: { qr: string[]; dm: string[] }[] = [];
  for (const page of pages) {
    const found = await decodeBarcodes(page);
    out.push({
      qr: found.filter((r) => r.format === 'QRCode').map((r) => r.text).sort(),
      dm: found.filter((r) => r.format === 'DataMatrix').map((r) => r.text).sort(),
    });
  }
  return out;
}

const poste = (doc: NoticeDocument, p: { nav: string; amountCents: number }) =>
  posteDataMatrixPayload({
    nav: p.nav,
    postalAccount: doc.creditor.postalAccount!.number,
    amountCents: p.amountCents,
    creditorFiscalCode: doc.creditor.fiscalCode,
    debtorFiscalCode: doc.debtor.fiscalCode,
    debtorName: doc.debtor.fullName,
    subject: doc.subject,
  });

describe('renderNotice: rata unica', () => {
  const pdf = renderNotice(singleNotice);

  it('is one A4 page, well under 60 KB, with the QR of the rata unica', async () => {
    expect(new TextDecoder('latin1').decode(pdf.subarray(0, 8))).toBe('%PDF-1.4');
    expect(pdf.length).toBeLessThan(60 * 1024);
    const pages = await barcodesByPage(pdf);
    expect(pages).toEqual([{ qr: [`PAGOPA|002|${nav(1)}|${CF}|102099`], dm: [] }]);
    const [page] = rasterisePdf(pdf, 72);
    expect([page!.width, page!.height]).toEqual([596, 842]); // A4 at 72 dpi, rounded up
    expect(new TextDecoder('latin1').decode(pdf)).toContain('/MediaBox [0 0 595.28 841.89]');
  });

  it('prints the notice code in groups of 4, the amount, the due date and both parties', () => {
    const [text] = pdfText(pdf);
    expect(text).toContain('3020 0000 0000 0001 84');
    expect(text).toContain('1.020,99 Euro');
    expect(text).toContain('31/12/2025');
    expect(text).toContain('Rata unica entro il 31/12/2025');
    expect(text).toContain('Comune di Sant\u2019Elpidio a Mare');
    expect(text).toContain('Emanuela Riccò');
    expect(text).toContain('RCCMNL83S18D969H');
    expect(text).toContain('Via Giuseppe Garibaldi 12/B');
    expect(text).toContain('63811 Sant\u2019Elpidio a Mare (FM)');
    expect(text).toContain('TARI 2025 \u2013 Tassa sui rifiuti, saldo');
    expect(text).toContain('Quanto e quando pagare?'.toUpperCase());
    expect(text).toContain('A1B2C');
    expect(text).not.toContain('BOLLETTINO POSTALE');
  });
});

describe('renderNotice: rata unica + 3 installments + Poste', () => {
  const doc = installmentsPosteNotice;
  const pdf = renderNotice(doc);

  it('has a QR and a Data Matrix per payment, 2 installments per page after the first', async () => {
    const rate = doc.installments!;
    const qr = (p: { nav: string; amountCents: number }) => `PAGOPA|002|${p.nav}|${CF}|${p.amountCents}`;
    const pages = await barcodesByPage(pdf);
    expect(pages).toEqual([
      { qr: [qr(doc.singlePayment!)], dm: [poste(doc, doc.singlePayment!)] },
      { qr: [qr(rate[0]!), qr(rate[1]!)].sort(), dm: [poste(doc, rate[0]!), poste(doc, rate[1]!)].sort() },
      { qr: [qr(rate[2]!)], dm: [poste(doc, rate[2]!)] },
    ]);
    expect(pdf.length).toBeLessThan(60 * 1024);
  });

  it('repeats the header on every page and prints each installment with its own code', () => {
    const pages = pdfText(pdf);
    expect(pages).toHaveLength(3);
    for (const [i, page] of pages.entries()) {
      expect(page).toContain('AVVISO DI PAGAMENTO');
      expect(page).toContain(doc.subject);
      expect(page).toContain(`Pagina ${i + 1} di 3`);
    }
    expect(pages[0]).toContain('Puoi pagare per intero o in 3 rate.');
    expect(pages[0]).toContain('BOLLETTINO POSTALE PA');
    expect(pages[0]).toContain('001234567890');
    doc.installments!.forEach((r, k) => {
      const page = pages[k < 2 ? 1 : 2]!;
      expect(page).toContain(`RATA ${k + 1}`);
      expect(page).toContain(formatNoticeNumberForPrint(r.nav));
      expect(page).toContain(formatEuroItalian(r.amountCents));
      expect(page).toContain(`Rata ${k + 1} entro il ${r.dueDate.split('-').reverse().join('/')}`);
    });
    // the rata unica's code is on page 1 only
    expect(pages[1]).not.toContain(formatNoticeNumberForPrint(doc.singlePayment!.nav));
  });
});

describe('renderNotice: other variants', () => {
  it('installments only: four QR codes on one page, total amount, no rata unica', async () => {
    const pdf = renderNotice(installmentsOnlyNotice);
    const pages = await barcodesByPage(pdf);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.qr).toEqual(installmentsOnlyNotice.installments!.map((r) => `PAGOPA|002|${r.nav}|${CF}|${r.amountCents}`).sort());
    const [text] = pdfText(pdf);
    expect(text).toContain('482,00 Euro');
    expect(text).toContain('Puoi pagare in 4 rate.');
    expect(text).not.toContain('Rata unica');
    expect(text).toContain('30/04/2026');
    expect(text).toContain('Cooperativa Sociale L\u2019Àncora');
  });

  it('without a due date: "Quanto pagare?" and "Rata unica" without a date; 5 cents in the QR as 05', async () => {
    const pdf = renderNotice(noDueDateNotice);
    const [text] = pdfText(pdf);
    expect(text).toContain('QUANTO PAGARE?');
    expect(text).not.toContain('entro il');
    expect(text).toContain('0,05 Euro');
    const pages = await barcodesByPage(pdf);
    expect(pages[0]!.qr).toEqual([`PAGOPA|002|${nav(31)}|${CF}|05`]);
    expect(pages[0]!.dm).toEqual([poste(noDueDateNotice, { nav: nav(31), amountCents: 5 })]);
  });

  it('many installments without Poste: 2/3 per band as the official paginator, 3 bands per later page', async () => {
    const doc: NoticeDocument = {
      ...installmentsOnlyNotice,
      singlePayment: { nav: nav(40), amountCents: 100000, dueDate: '2025-03-31' },
      installments: Array.from({ length: 7 }, (_, k) => ({ nav: nav(41 + k), amountCents: 10000 + k, dueDate: `2025-0${k + 3}-28` })),
    };
    const pages = await barcodesByPage(renderNotice(doc));
    expect(pages.map((p) => p.qr.length)).toEqual([1 + 3, 4]);
    const all = pages.flatMap((p) => p.qr);
    expect(new Set(all).size).toBe(8);
    const texts = pdfText(renderNotice(doc));
    expect(texts[1]).toContain('RATA 7');
    expect(texts[1]).toContain(formatNoticeNumberForPrint(nav(47)));
  });

  it('embeds a PNG logo with transparency without breaking the barcodes', async () => {
    const pdf = renderNotice({ ...singleNotice, creditor: { ...singleNotice.creditor, logo: { bytes: sampleLogoPng(), type: 'png' } } });
    const body = new TextDecoder('latin1').decode(pdf);
    expect(body).toMatch(/\/Subtype \/Image \/Width 96 \/Height 96 .*\/SMask \d+ 0 R/);
    const pages = await barcodesByPage(pdf);
    expect(pages[0]!.qr).toEqual([`PAGOPA|002|${nav(1)}|${CF}|102099`]);
  });

  it('is deterministic: same input, same bytes', () => {
    expect(Buffer.from(renderNotice(singleNotice)).equals(Buffer.from(renderNotice(singleNotice)))).toBe(true);
  });

  it('truncates an over-long creditor name with an ellipsis instead of overflowing', () => {
    const long = `Unione dei Comuni ${'della Valle '.repeat(9)}Fine`;
    const [text] = pdfText(renderNotice({ ...singleNotice, creditor: { ...singleNotice.creditor, name: long } }));
    expect(text).toContain('\u2026');
    expect(text).not.toContain('Fine');
  });
});

describe('renderNotice: validation', () => {
  const expectIssue = (doc: NoticeDocument, pattern: RegExp) => {
    try {
      renderNotice(doc);
    } catch (e) {
      expect(e).toBeInstanceOf(NoticeValidationError);
      expect((e as Error).message).toMatch(pattern);
      return;
    }
    throw new Error('expected a validation error');
  };
  it('rejects texts over the print limits (subject 90, name 70, address 140)', () => {
    expectIssue({ ...singleNotice, subject: 'x'.repeat(91) }, /subject: .*90/);
    expectIssue({ ...singleNotice, debtor: { ...singleNotice.debtor, fullName: 'y'.repeat(71) } }, /debtor\.fullName: .*70/);
    expectIssue(
      {
        ...singleNotice,
        debtor: { ...singleNotice.debtor, address: { streetName: 's'.repeat(70), city: 'c'.repeat(70), postalCode: '00100' } },
      },
      /debtor\.address: .*140/,
    );
  });
  it('rejects bad codes, amounts, dates and empty positions', () => {
    expectIssue({ ...singleNotice, singlePayment: { nav: '12345', amountCents: 1 } }, /singlePayment\.nav: .*18 digits/);
    expectIssue({ ...singleNotice, singlePayment: { nav: nav(1), amountCents: 10_000_000_000 } }, /amountCents: .*cannot be printed/);
    expectIssue({ ...singleNotice, singlePayment: { nav: nav(1), amountCents: 12.5 } }, /amountCents: .*integer/);
    expectIssue({ ...singleNotice, singlePayment: { nav: nav(1), amountCents: 100, dueDate: '2025-02-30' } }, /dueDate: not a calendar date/);
    expectIssue({ ...singleNotice, creditor: { ...singleNotice.creditor, fiscalCode: '123' } }, /creditor\.fiscalCode: .*11 digits/);
    expectIssue({ ...singleNotice, singlePayment: undefined, installments: [] }, /needs a single payment or at least one installment/);
    expectIssue(
      { ...singleNotice, installments: [{ nav: nav(1), amountCents: 1, dueDate: '2025-01-01' }] },
      /appears twice/,
    );
  });
});
