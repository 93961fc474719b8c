/**
 * Hardened XML parsing for SAML messages and metadata (@xmldom/xmldom): no DTD at all (no
 * DOCTYPE, no entity declarations — XXE and entity expansion are refused before parsing), any
 * parser error or warning is fatal, and a size limit.
 */
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';

export type { Document, Element };

export class XmlRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRejected';
  }
}

export function parseXmlStrict(xml: string, maxBytes = 512 * 1024): Document {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) throw new XmlRejected(`the XML is larger than ${maxBytes} bytes`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlRejected('a DTD (DOCTYPE or ENTITY) is not accepted');
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        throw new XmlRejected(`XML ${level}: ${message}`);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw error instanceof XmlRejected ? error : new XmlRejected(`XML not well-formed: ${(error as Error).message}`);
  }
  if (!doc.documentElement) throw new XmlRejected('the XML has no root element');
  return doc;
}

/** Appends a namespaced element (attributes, optional text) to a parent and returns it. */
export type AddElement = (parent: Element, ns: string, qname: string, attrs?: Record<string, string>, text?: string) => Element;

/** The one element builder of the SAML documents this module and the test IdP write (`xml:lang` in its namespace). */
export function elementBuilder(doc: Document): AddElement {
  return (parent, ns, qname, attrs = {}, text) => {
    const e = doc.createElementNS(ns, qname);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'xml:lang') e.setAttributeNS('http://www.w3.org/XML/1998/namespace', k, v);
      else e.setAttribute(k, v);
    }
    if (text !== undefined) e.appendChild(doc.createTextNode(text));
    parent.appendChild(e);
    return e;
  };
}

export function serializeXml(node: Document | Element): string {
  return new XMLSerializer().serializeToString(node);
}

/** the element children of `parent` with that namespace and local name (direct children only) */
export function children(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as Element;
      if (e.namespaceURI === ns && e.localName === localName) out.push(e);
    }
  }
  return out;
}

export function child(parent: Element, ns: string, localName: string): Element | undefined {
  return children(parent, ns, localName)[0];
}

/** all descendants with that namespace and local name */
export function descendants(parent: Element | Document, ns: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, localName)) as Element[];
}

export function textOf(e: Element | undefined): string {
  return (e?.textContent ?? '').trim();
}

/** an xs:dateTime in UTC (…Z), as epoch milliseconds; undefined when absent or malformed */
export function utcInstant(value: string | null | undefined): number | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** a certificate as bare base64 (no PEM armour, no whitespace) */
export function certificateBody(cert: string): string {
  return cert
    .replace(/-----BEGIN CERTIFICATE-----/g, '')
    .replace(/-----END CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');
}

export function certificatePem(cert: string): string {
  const body = certificateBody(cert);
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}
