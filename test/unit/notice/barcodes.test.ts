import { describe, expect, it } from 'vitest';
import { posteDataMatrixPayload, posteText, qrPayload } from '../../../shared/notice/barcodes';
import { encodeDataMatrix } from '../../../shared/notice/datamatrix';
import { encodeQr } from '../../../shared/notice/qr';
import { decodeBarcodes, matrixToGray } from './decode';

describe('QR payload', () => {
  it('is PAGOPA|002|nav|fiscal code|cents', () => {
    expect(qrPayload('302000000000000184', '00743110157', 102099)).toBe('PAGOPA|002|302000000000000184|00743110157|102099');
  });
  it('writes cents with at least 2 digits and refuses more than 10', () => {
    expect(qrPayload('302000000000000184', '00743110157', 5)).toBe('PAGOPA|002|302000000000000184|00743110157|05');
    expect(() => qrPayload('302000000000000184', '00743110157', 10_000_000_000)).toThrow(/10 digits/);
    expect(() => qrPayload('30200000000000018', '00743110157', 100)).toThrow(/18 digits/);
  });
});

describe('Poste Data Matrix codeline', () => {
  const input = {
    nav: '302000000000000184',
    postalAccount: '1234567890',
    amountCents: 102099,
    creditorFiscalCode: '00743110157',
    debtorFiscalCode: 'rccmnl83s18d969h',
    debtorName: 'Emanuela Riccò',
    subject: 'TARI 2025 – saldo',
  };
  it('lays out the 256 fixed-width characters of the Poste Data Matrix (pagoPA notice guide, Poste "codfase=NBPA" layout)', () => {
    const p = posteDataMatrixPayload(input);
    expect(p).toHaveLength(256);
    expect(p.slice(0, 13)).toBe('codfase=NBPA;');
    expect(p.slice(13, 33)).toBe('18302000000000000184');
    expect(p.slice(33, 47)).toBe('12001234567890');
    expect(p.slice(47, 59)).toBe('100000102099');
    expect(p.slice(59, 66)).toBe('38961P1');
    expect(p.slice(66, 77)).toBe('00743110157');
    expect(p.slice(77, 93)).toBe('RCCMNL83S18D969H');
    expect(p.slice(93, 133)).toBe('EMANUELA RICCO'.padEnd(40));
    expect(p.slice(133, 243)).toBe('TARI 2025   SALDO'.padEnd(110));
    expect(p.slice(243)).toBe(`${' '.repeat(12)}A`);
  });
  it('pads an 11-digit debtor code and truncates long names', () => {
    const p = posteDataMatrixPayload({ ...input, debtorFiscalCode: '00743110157', debtorName: 'X'.repeat(60) });
    expect(p.slice(77, 93)).toBe('00743110157     ');
    expect(p.slice(93, 133)).toBe('X'.repeat(40));
    expect(p).toHaveLength(256);
  });
  it('upper-cases and strips accents to ASCII', () => {
    expect(posteText('àèìòù Ç ß€')).toBe('AEIOU C SS ');
  });
});

describe('encoders, read back by zxing-cpp', () => {
  it('QR: version 4, level M for every pagoPA payload size', async () => {
    for (const cents of [1, 99, 102099, 9_999_999_999]) {
      const text = qrPayload('302000000000000184', '00743110157', cents);
      const m = encodeQr(text);
      expect(m.size).toBe(33);
      const [r, ...rest] = await decodeBarcodes(matrixToGray(m));
      expect(rest).toHaveLength(0);
      expect(r?.format).toBe('QRCode');
      expect(r?.text).toBe(text);
      expect(r?.version).toBe('4');
      expect(r?.ecLevel).toBe('M');
    }
  });
  it('QR: grows past version 4 only when the text needs it', async () => {
    for (const [length, size] of [[62, 33], [63, 37], [84, 37], [85, 41], [106, 41]] as const) {
      const text = 'x'.repeat(length);
      const m = encodeQr(text);
      expect(m.size).toBe(size);
      expect((await decodeBarcodes(matrixToGray(m)))[0]?.text).toBe(text);
    }
    expect(() => encodeQr('x'.repeat(107))).toThrow(/does not fit/);
  });
  it('Data Matrix: mixed ASCII, digit pairs and C40 runs of many sizes', async () => {
    const samples = [
      'A',
      '12345',
      'HELLO WORLD',
      'codfase=NBPA;abc 12 XYZ',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 ABC. ABC/1',
      posteDataMatrixPayload({
        nav: '302000000000000184',
        postalAccount: '1',
        amountCents: 1,
        creditorFiscalCode: '00743110157',
        debtorFiscalCode: 'RSSMRA80A01H501U',
        debtorName: "D'Annunzio-Bianchi, Maria",
        subject: 'Canone unico patrimoniale 2025 (art. 1, c. 816) - rata 1/4',
      }),
      'z'.repeat(300),
    ];
    for (const text of samples) {
      const m = encodeDataMatrix(text);
      const results = await decodeBarcodes(matrixToGray(m, 3));
      expect(results.map((r) => [r.format, r.text]), `${m.size}×${m.size}: ${text.slice(0, 20)}`).toEqual([['DataMatrix', text]]);
    }
  });
});
