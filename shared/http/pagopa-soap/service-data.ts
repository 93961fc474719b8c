/**
 * datiSpecificiServizio of paDemandPaymentNotice: the service-specific data the PSP collected from
 * the citizen, an XML document sent base64-encoded (paForNode.xsd `datiSpecificiServizioRequest`,
 * xsd:base64Binary). pagoPA leaves its content to each service's own XSD in the service catalogue
 * (CatalogoServizi_2_0_0.xsd `xsdRiferimento`); this layer reads this one layout for every service,
 * the payer named as in pagopa-api catalogo-servizi/A001_Passaporto_1_0_0.xsd:
 *
 *   <datiSpecificiServizio>                       root: any name, any namespace (one is advised:
 *                                                  datiSpecificiServizio, no namespace)
 *     <codiceFiscalePagatore>RSSMRA80A01H501U</codiceFiscalePagatore>   required
 *     <denominazionePagatore>Mario Rossi</denominazionePagatore>       required, ≤ 70
 *     <tipoPagatore>F</tipoPagatore>               optional F | G (default: F for 16 characters, G for 11 digits)
 *     <emailPagatore>mario@example.it</emailPagatore>                   optional
 *     <certificato>residenza</certificato>         the service's form fields, one element each, by name
 *     <numeroPasti>10</numeroPasti>
 *   </datiSpecificiServizio>
 *
 * The four payer elements may instead sit in a `<pagatore>` child (the A001 layout). Every other
 * child is text only, at most once; the form then says which are required and what they hold.
 * Hardened like the SOAP envelope (xml.ts): at most 64 KiB decoded, UTF-8 only, no DOCTYPE or
 * entity declarations, depth and element-count limits.
 */
import { escapeXml, readXml, isXmlReadError, type XmlElement } from './xml';

export const MAX_SERVICE_DATA_BYTES = 64 * 1024;
const PAYER_WRAPPER = 'pagatore';
const PAYER = ['codiceFiscalePagatore', 'denominazionePagatore', 'tipoPagatore', 'emailPagatore'] as const;

export interface ServicePayer {
  readonly type: 'F' | 'G';
  readonly fiscalCode: string;
  readonly fullName: string;
  readonly email?: string;
}

export interface ServiceData {
  readonly payer: ServicePayer;
  /** the form's values as text, by element name (trimmed) */
  readonly values: Readonly<Record<string, string>>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64 → the payer and the form's values, or what is wrong with it (naming the element). */
export function readServiceData(base64: string): ServiceData | { readonly problem: string } {
  const compact = base64.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return { problem: 'datiSpecificiServizioRequest is not base64' };
  if ((compact.length / 4) * 3 > MAX_SERVICE_DATA_BYTES + 3) {
    return { problem: `datiSpecificiServizioRequest is larger than ${MAX_SERVICE_DATA_BYTES} bytes` };
  }
  const root = readXml(Buffer.from(compact, 'base64'), MAX_SERVICE_DATA_BYTES);
  if (isXmlReadError(root)) return { problem: `datiSpecificiServizioRequest: ${root.message}` };
  if (root.text.trim() !== '') return { problem: `datiSpecificiServizioRequest/${root.local} must contain elements, not text` };

  const fields: Record<string, string> = {};
  const problems: string[] = [];
  const take = (element: XmlElement, path: string): void => {
    if (element.children.length > 0) {
      problems.push(`${path} must contain text, not elements`);
      return;
    }
    if (Object.prototype.hasOwnProperty.call(fields, element.local)) {
      problems.push(`${path} appears more than once`);
      return;
    }
    fields[element.local] = element.text.trim();
  };
  let wrapped = false;
  for (const child of root.children) {
    const path = `${root.local}/${child.local}`;
    if (child.local === PAYER_WRAPPER && child.children.length > 0) {
      if (wrapped) problems.push(`${path} appears more than once`);
      wrapped = true;
      if (child.text.trim() !== '') problems.push(`${path} must contain elements, not text`);
      for (const inner of child.children) {
        if (!(PAYER as readonly string[]).includes(inner.local)) problems.push(`${path}/${inner.local} is not an element allowed here`);
        else take(inner, `${path}/${inner.local}`);
      }
      continue;
    }
    take(child, path);
  }
  const fiscalCode = fields['codiceFiscalePagatore'];
  const fullName = fields['denominazionePagatore'];
  if (!fiscalCode) problems.push(`${root.local}/codiceFiscalePagatore is required`);
  if (!fullName) problems.push(`${root.local}/denominazionePagatore is required`);
  const declared = fields['tipoPagatore'];
  if (declared !== undefined && declared !== 'F' && declared !== 'G') problems.push(`${root.local}/tipoPagatore must be F or G`);
  if (problems.length > 0 || !fiscalCode || !fullName) return { problem: `datiSpecificiServizioRequest: ${problems.join('; ')}` };

  const upper = fiscalCode.toUpperCase();
  const type: 'F' | 'G' = declared === 'F' || declared === 'G' ? declared : /^\d{11}$/.test(upper) ? 'G' : 'F';
  const email = fields['emailPagatore'];
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (!(PAYER as readonly string[]).includes(name)) values[name] = value;
  return { payer: { type, fiscalCode: upper, fullName, ...(email ? { email } : {}) }, values };
}

/** The node's (and the tests') side: the payer and the values → base64 of the layout above. */
export function buildServiceData(data: { readonly payer: ServicePayer; readonly values: Readonly<Record<string, string | number | boolean>> }, root = 'datiSpecificiServizio'): string {
  const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<${root}>` +
    element('codiceFiscalePagatore', data.payer.fiscalCode) +
    element('denominazionePagatore', data.payer.fullName) +
    element('tipoPagatore', data.payer.type) +
    (data.payer.email !== undefined ? element('emailPagatore', data.payer.email) : '') +
    Object.entries(data.values)
      .map(([name, value]) => element(name, String(value)))
      .join('') +
    `</${root}>`;
  return Buffer.from(xml, 'utf8').toString('base64');
}
