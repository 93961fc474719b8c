/**
 * The XML edge of the SOAP codec: a defensive reader that turns bytes into a tiny element tree,
 * and the escaping the writers use. Nothing here knows about pagoPA.
 *
 * Why saxes (a strict, namespace-aware SAX parser, the one jsdom uses):
 * - it resolves every prefix to its namespace URI, so `x:paGetPaymentReq` is accepted only when
 *   `x` is bound to the paForNode namespace (a prefix-stripping parser cannot check that);
 * - it enforces XML well-formedness itself (unclosed tags, bad attributes, stray `&`);
 * - it never reads a DTD: only the five predefined entities and character references are
 *   expanded, any other `&name;` is an error. On top of that we refuse DOCTYPE / ENTITY before
 *   parsing, so XXE and "billion laughs" never reach it;
 * - streaming, one small dependency, and we keep control of depth and element-count limits.
 */
import { SaxesParser } from 'saxes';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const MAX_DEPTH = 48;
const MAX_ELEMENTS = 10_000;

export interface XmlElement {
  /** namespace URI ('' when the element is in no namespace) */
  readonly uri: string;
  readonly local: string;
  readonly children: XmlElement[];
  /** concatenated character data directly inside this element (text and CDATA) */
  text: string;
}

export type XmlReadFailure =
  | 'too-large'
  | 'encoding'
  | 'doctype'
  | 'not-well-formed';

export interface XmlReadError {
  readonly failure: XmlReadFailure;
  readonly message: string;
}

export function isXmlReadError(value: XmlElement | XmlReadError): value is XmlReadError {
  return 'failure' in value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DOCTYPE_OR_ENTITY = /<!\s*(?:DOCTYPE|ENTITY)/i;

/**
 * Bytes (or an already decoded string) → the document's root element, or why not.
 * Refuses: bodies over `maxBytes`, invalid UTF-8 (or a declared encoding other than UTF-8),
 * any DOCTYPE / ENTITY declaration, malformed XML, nesting deeper than 48 or more than 10 000
 * elements.
 */
export function readXml(body: string | Uint8Array, maxBytes = DEFAULT_MAX_BODY_BYTES): XmlElement | XmlReadError {
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  if (size > maxBytes) return { failure: 'too-large', message: `body is ${size} bytes, more than ${maxBytes}` };

  let text: string;
  if (typeof body === 'string') {
    if (LONE_SURROGATE.test(body)) return { failure: 'encoding', message: 'body contains unpaired UTF-16 surrogates' };
    text = body;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
    } catch {
      return { failure: 'encoding', message: 'body is not valid UTF-8' };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  if (DOCTYPE_OR_ENTITY.test(text)) {
    return { failure: 'doctype', message: 'DOCTYPE and ENTITY declarations are not accepted' };
  }

  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: XmlReadError | undefined;
  const fail = (f: XmlReadFailure, message: string): never => {
    failure = { failure: f, message };
    throw new Error(message);
  };

  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      fail('encoding', `declared encoding ${decl.encoding} is not accepted, only UTF-8`);
    }
  });
  parser.on('doctype', () => fail('doctype', 'DOCTYPE declarations are not accepted'));
  parser.on('opentag', (tag) => {
    count += 1;
    if (count > MAX_ELEMENTS) fail('not-well-formed', `more than ${MAX_ELEMENTS} elements`);
    if (stack.length >= MAX_DEPTH) fail('not-well-formed', `elements nested deeper than ${MAX_DEPTH}`);
    const element: XmlElement = { uri: tag.uri ?? '', local: tag.local ?? tag.name, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (data: string): void => {
    const current = stack[stack.length - 1];
    if (current) current.text += data;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  try {
    parser.write(text).close();
  } catch (error) {
    if (failure) return failure;
    return { failure: 'not-well-formed', message: `malformed XML: ${(error as Error).message}` };
  }
  if (!root) return { failure: 'not-well-formed', message: 'no root element' };
  return root;
}

// XML 1.0 Char production, minus what we never want to emit.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for element content and attribute values; drops characters XML cannot carry. */
export function escapeXml(value: string): string {
  return value
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** Length in characters as XSD counts them (Unicode code points, not UTF-16 units). */
export function xmlLength(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

/** Cuts `value` to at most `max` code points, ending with '…' when something was cut. */
export function truncateText(value: string, max: number): string {
  if (xmlLength(value) <= max) return value;
  return [...value].slice(0, Math.max(0, max - 1)).join('') + '…';
}
