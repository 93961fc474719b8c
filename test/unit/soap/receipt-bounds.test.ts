/**
 * paSendRT / paSendRTV2 receipts the XSD allows but the layer could not store or would not show
 * (shared/http/pagopa-soap/receipt-bounds.ts): refused at the edge with PAA_SINTASSI_EXTRAXSD,
 * naming every offending element, instead of being answered OK and failing on the queue.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RECEIPT_ID_BYTES } from '../../../shared/domain/receipt';
import { parseNodeRequest, type CodecFault, type ParsedRequest } from '../../../shared/http/pagopa-soap';
import { receiptXml, transferXml } from './fixtures';

function fault(result: ParsedRequest | CodecFault): CodecFault {
  if (result.kind !== 'fault') throw new Error(`expected a fault, got ${result.operation}`);
  expect(result).toMatchObject({ faultCode: 'PAA_SINTASSI_EXTRAXSD', failure: 'invalid', idPA: '00743110157', idStation: '15376371009_01' });
  return result;
}

const withReceiptId = (id: string, v2 = true) => receiptXml({ v2 }).replace('<receiptId>c110729d258c4ab1b765fe902ae67cb3</receiptId>', `<receiptId>${id}</receiptId>`);

describe('paSendRT(V2): what the XSD allows but storage cannot hold', () => {
  it('a receiptId of about a thousand bytes, or of 400 multi-byte characters (xsd:string, a key of the layer), is refused', () => {
    for (const v2 of [true, false]) {
      const ascii = fault(parseNodeRequest(withReceiptId('r'.repeat(1000), v2)));
      expect(ascii.description).toMatch(new RegExp(`receipt/receiptId: must be at most ${MAX_RECEIPT_ID_BYTES} bytes \\(UTF-8\\), is 1000`));
      const euro = fault(parseNodeRequest(withReceiptId('€'.repeat(400), v2)));
      expect(euro.description).toContain('receipt/receiptId: must be at most 256 bytes (UTF-8), is 1200');
    }
  });

  it('the limit counts bytes, not characters: 256 bytes are taken in, 257 are not', () => {
    const at = parseNodeRequest(withReceiptId('é'.repeat(128)));
    expect(at.kind === 'request' && at.operation === 'paSendRTV2' ? at.receipt.receiptId : undefined).toBe('é'.repeat(128));
    expect(fault(parseNodeRequest(withReceiptId(`${'é'.repeat(128)}x`))).description).toContain('is 257');
  });

  it('a receipt heavier than a queue message and a table item can hold (a huge stamp) is refused', () => {
    const stamp = `<MBDAttachment>${'QUFB'.repeat(60_000)}</MBDAttachment>`;
    const f = fault(parseNodeRequest(receiptXml({ v2: true, transfers: transferXml(1, '120.50', stamp) })));
    expect(f.description).toMatch(/receipt: is \d+ bytes as JSON, more than the 196608 a receipt may weigh/);
  });
});

describe('paSendRT(V2): the text rules on every string of the receipt', () => {
  it('refuses a bidirectional override, a C1 control character and names every offending element', () => {
    const xml = receiptXml({ v2: true, description: 'TARI \u202Eera 0.01' }).replace('<fullName>Emanuele Rossi</fullName>', '<fullName>Emanuele\u0085Rossi</fullName>');
    const f = fault(parseNodeRequest(xml));
    expect(f.description).toContain('receipt/description: must not contain bidirectional override or isolate characters');
    expect(f.description).toContain('receipt/debtor/fullName: must not contain control characters');
  });

  it('names an element inside a list by its XSD position', () => {
    const f = fault(parseNodeRequest(receiptXml({ transfers: transferXml(1, '110.00') + transferXml(2, '10.50').replace('TARI 2026 quota 2', 'quota \u2066x\u2069') })));
    expect(f.description).toContain('receipt/transferList/transfer[2]/remittanceInformation');
  });

  it('keeps what real receipts hold: accented and right-to-left names, the marks they need, line breaks', () => {
    const xml = receiptXml({ v2: true, description: 'Tassa sull’àrea\nrata 1' }).replace('<fullName>Emanuele Rossi</fullName>', '<fullName>\u05D3\u05D5\u05D3 \u200F\u05DB\u05D4\u05DF</fullName>');
    expect(parseNodeRequest(xml).kind).toBe('request');
  });
});
