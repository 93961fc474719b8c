/**
 * SOAP 1.1 envelopes: opening one safely (size, encoding, DOCTYPE, well-formedness, namespaces),
 * decoding its body with a wire schema, and writing one.
 */
import * as z from 'zod';
import { PAA_FAULTS } from './fault-codes';
import { describeIssues, elementToWire, wireToXml, zodIssues, type StructureIssue } from './shape';
import type { CodecFailure, CodecFault } from './types';
import { PA_FOR_NODE_NS, SOAP11_ENVELOPE_NS, type Operation } from './wire';
import { DEFAULT_MAX_BODY_BYTES, escapeXml, isXmlReadError, readXml, type XmlElement } from './xml';

export interface CodecOptions {
  /** refuse bodies larger than this many bytes (default 1 MiB) */
  readonly maxBytes?: number;
}

export function codecFault(
  failure: CodecFailure,
  description: string,
  extra: Partial<Pick<CodecFault, 'operation' | 'idPA' | 'idBrokerPA' | 'idStation'>> = {},
): CodecFault {
  return {
    kind: 'fault',
    faultCode: 'PAA_SINTASSI_EXTRAXSD',
    faultString: PAA_FAULTS.PAA_SINTASSI_EXTRAXSD,
    description,
    failure,
    ...extra,
  };
}

/** Bytes → the single element inside soapenv:Body (in the paForNode namespace), or a fault. */
export function openEnvelope(body: string | Uint8Array, options: CodecOptions = {}): XmlElement | CodecFault {
  const root = readXml(body, options.maxBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (isXmlReadError(root)) return codecFault(root.failure, root.message);
  if (root.uri !== SOAP11_ENVELOPE_NS || root.local !== 'Envelope') {
    return codecFault('not-soap', `the root element must be a SOAP 1.1 Envelope (${SOAP11_ENVELOPE_NS})`);
  }
  const parts = root.children;
  const bodyIndex = parts.findIndex((c) => c.uri === SOAP11_ENVELOPE_NS && c.local === 'Body');
  const unexpected = parts.filter(
    (c, i) => !(c.uri === SOAP11_ENVELOPE_NS && (c.local === 'Body' ? i === bodyIndex : c.local === 'Header' && i === 0)),
  );
  if (bodyIndex === -1 || unexpected.length > 0 || root.text.trim() !== '') {
    return codecFault('not-soap', 'the Envelope must hold an optional Header and then one Body');
  }
  const soapBody = parts[bodyIndex] as XmlElement;
  if (soapBody.children.length !== 1 || soapBody.text.trim() !== '') {
    return codecFault('not-soap', 'the SOAP Body must hold exactly one element');
  }
  return soapBody.children[0] as XmlElement;
}

export function isCodecFault(value: unknown): value is CodecFault {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'fault';
}

/** Element tree → decoded value of `schema`, or every issue found, each naming its element. */
export function decodeElement<S extends z.ZodType>(
  schema: S,
  element: XmlElement,
): { ok: true; value: z.output<S> } | { ok: false; issues: StructureIssue[] } {
  const issues: StructureIssue[] = [];
  const wire = elementToWire(schema, element, '', issues);
  const decoded = schema.safeDecode(wire as z.input<S>);
  if (!decoded.success) {
    const seen = new Set(issues.map((i) => i.path));
    // an element already refused for its structure need not be reported twice
    for (const issue of zodIssues(decoded.error, '')) if (!seen.has(issue.path)) issues.push(issue);
  }
  if (issues.length > 0 || !decoded.success) return { ok: false, issues };
  return { ok: true, value: decoded.data };
}

export function describe(element: string, issues: readonly StructureIssue[]): string {
  return `${element}: ${describeIssues(issues)}`;
}

/** Raised by the builders when the data cannot become valid XML (never on descriptions). */
export class SoapBuildError extends Error {
  override readonly name = 'SoapBuildError';
  constructor(
    message: string,
    readonly issues: readonly StructureIssue[] = [],
  ) {
    super(message);
  }
}

/** Decoded value → XML of element `element` (prefixed with `prefix`), validating as it goes. */
export function encodeElement<S extends z.ZodType>(schema: S, value: z.output<S>, element: string, prefix: string): string {
  let encoded: unknown;
  try {
    encoded = schema.encode(value);
  } catch (error) {
    if (error instanceof z.ZodError) {
      const issues = zodIssues(error, element);
      throw new SoapBuildError(`cannot build ${element}: ${describeIssues(issues)}`, issues);
    }
    throw error;
  }
  return wireToXml(schema, encoded, `${prefix}:${element}`);
}

export function envelope(prefix: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP11_ENVELOPE_NS}" xmlns:${prefix}="${PA_FOR_NODE_NS}">` +
    `<soapenv:Header/><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
  );
}

/**
 * A real SOAP 1.1 Fault (HTTP 500), only for requests whose operation cannot be told: a business
 * or validation fault on a known operation is a normal response with outcome KO instead.
 */
export function buildSoapFault(faultString: string, faultCode: 'soapenv:Client' | 'soapenv:Server' = 'soapenv:Client'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP11_ENVELOPE_NS}"><soapenv:Body><soapenv:Fault>` +
    `<faultcode>${faultCode}</faultcode><faultstring>${escapeXml(faultString)}</faultstring>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}

