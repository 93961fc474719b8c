import { describe, expect, it } from 'vitest';
import { parseNodeRequest, type CodecFault, type ParsedRequest } from '../../../shared/http/pagopa-soap';
import { ENV_NS, IDS, PAF_NS, QR, verifyXml } from './fixtures';

function failureOf(result: ParsedRequest | CodecFault): string {
  if (result.kind !== 'fault') throw new Error('expected the request to be refused');
  expect(result.faultCode).toBe('PAA_SINTASSI_EXTRAXSD');
  return result.failure;
}

const withDoctype = (doctype: string, idPA = '00743110157') =>
  `<?xml version="1.0"?>${doctype}` + verifyXml(`<idPA>${idPA}</idPA><idBrokerPA>1</idBrokerPA><idStation>1</idStation>${QR}`).replace(/^<\?xml[^>]*\?>/, '');

describe('parseNodeRequest refuses hostile input', () => {
  it('refuses an external entity (XXE)', () => {
    const xml = withDoctype('<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;');
    expect(failureOf(parseNodeRequest(xml))).toBe('doctype');
  });

  it('refuses billion laughs', () => {
    const lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';
    expect(failureOf(parseNodeRequest(withDoctype(lol, '&lol3;')))).toBe('doctype');
  });

  it('refuses any DOCTYPE, even without entities, in any case', () => {
    expect(failureOf(parseNodeRequest(withDoctype('<!doctype soapenv:Envelope>')))).toBe('doctype');
  });

  it('never expands an entity other than the five predefined ones', () => {
    const xml = verifyXml(`<idPA>&foo;</idPA><idBrokerPA>1</idBrokerPA><idStation>1</idStation>${QR}`);
    expect(failureOf(parseNodeRequest(xml))).toBe('not-well-formed');
  });

  it('expands predefined entities and character references', () => {
    const xml = verifyXml(`<idPA>a&amp;b&lt;&#233;&#x41;</idPA><idBrokerPA>1</idBrokerPA><idStation>1</idStation>${QR}`);
    const r = parseNodeRequest(xml);
    if (r.kind === 'fault') throw new Error(r.description);
    expect(r.idPA).toBe('a&b<éA');
  });

  it('refuses bodies over the size limit (default 1 MiB, configurable)', () => {
    const padding = `<!--${'x'.repeat(1024 * 1024)}-->`;
    expect(failureOf(parseNodeRequest(verifyXml() + padding))).toBe('too-large');
    expect(failureOf(parseNodeRequest(verifyXml(), undefined, { maxBytes: 100 }))).toBe('too-large');
    expect(parseNodeRequest(verifyXml(), undefined, { maxBytes: 4096 }).kind).toBe('request');
  });

  it('counts the limit in bytes, not characters', () => {
    const xml = verifyXml();
    const bytes = Buffer.byteLength(xml);
    expect(parseNodeRequest(xml, undefined, { maxBytes: bytes }).kind).toBe('request');
    const accented = xml.replace('<idStation>15376371009_01</idStation>', '<idStation>stazioneè</idStation>');
    expect(failureOf(parseNodeRequest(accented, undefined, { maxBytes: accented.length }))).toBe('too-large');
  });

  it('refuses invalid UTF-8 bytes', () => {
    const good = Buffer.from(verifyXml(), 'utf8');
    const bad = Buffer.concat([good.subarray(0, 200), Buffer.from([0xc3, 0x28]), good.subarray(200)]);
    expect(failureOf(parseNodeRequest(bad))).toBe('encoding');
    expect(failureOf(parseNodeRequest(Buffer.from([0xff, 0xfe, 0x3c, 0x00])))).toBe('encoding');
  });

  it('refuses a declared encoding other than UTF-8 and lone surrogates', () => {
    const latin = verifyXml().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    expect(failureOf(parseNodeRequest(latin))).toBe('encoding');
    expect(failureOf(parseNodeRequest(verifyXml().replace('00743110157', '0074311015\uD800')))).toBe('encoding');
  });

  it('accepts a UTF-8 byte order mark', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(verifyXml(), 'utf8')]);
    expect(parseNodeRequest(withBom).kind).toBe('request');
  });

  it('refuses malformed XML, non-SOAP documents and SOAP 1.2', () => {
    expect(failureOf(parseNodeRequest(verifyXml().replace('</idPA>', '</idPa>')))).toBe('not-well-formed');
    expect(failureOf(parseNodeRequest('not xml at all'))).toBe('not-well-formed');
    expect(failureOf(parseNodeRequest(`<nod:paVerifyPaymentNoticeReq xmlns:nod="${PAF_NS}">${IDS}${QR}</nod:paVerifyPaymentNoticeReq>`))).toBe('not-soap');
    const soap12 = verifyXml().replace(ENV_NS, 'http://www.w3.org/2003/05/soap-envelope');
    expect(failureOf(parseNodeRequest(soap12))).toBe('not-soap');
    const twoBodies = verifyXml().replace('<soapenv:Header/>', '<soapenv:Body/>');
    expect(failureOf(parseNodeRequest(twoBodies))).toBe('not-soap');
  });

  it('refuses absurd nesting', () => {
    const deep = '<a>'.repeat(100) + '</a>'.repeat(100);
    const xml = verifyXml(`${IDS}${QR}`).replace('<soapenv:Header/>', `<soapenv:Header>${deep}</soapenv:Header>`);
    expect(failureOf(parseNodeRequest(xml))).toBe('not-well-formed');
  });
});
