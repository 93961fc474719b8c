/**
 * Masking of personal data and secrets before anything is logged.
 *
 * Personal identifiers keep a little of each end so an operator can correlate log lines with a
 * record (RCCMNL83S18D969H → RC************9H) but never the whole value; keys and secrets are
 * replaced entirely. `maskPersonalData` walks a log payload: values under well-known keys are
 * masked by kind, and any other string is scanned for things that look like a codice fiscale,
 * an IBAN or an e-mail address.
 */

import { IBAN_LENGTHS } from './iban';

export const REDACTED = '[REDACTED]';

/**
 * Keeps `head` characters at the start and `tail` at the end, but never more than 40% of the value
 * (so a short value shows less, and a 1- or 2-character value nothing).
 */
function keepEnds(value: string, head: number, tail: number): string {
  const length = value.length;
  if (length === 0) return '';
  while (head + tail > 0 && (head + tail) * 5 > length * 2) {
    if (head >= tail && head > 0) head--;
    else tail--;
  }
  return value.slice(0, head) + '*'.repeat(length - head - tail) + value.slice(length - tail);
}

/** RCCMNL83S18D969H → RC************9H; 00743110157 → 00*******57. */
export function maskFiscalCode(value: string): string {
  return keepEnds(String(value), 2, 2);
}

/** IT60X0542811101000000123456 → IT60*******************3456 (spaces removed first). */
export function maskIban(value: string): string {
  const compact = String(value).replace(/\s+/g, '');
  return keepEnds(compact, 4, 4);
}

/** mario.rossi@comune.example.it → m***@c***.it */
export function maskEmail(value: string): string {
  const text = String(value);
  const at = text.lastIndexOf('@');
  if (at < 0) return keepEnds(text, 1, 0);
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  return `${local.slice(0, 1)}***@${host.slice(0, 1)}***${tld}`;
}

/** "Mario Rossi" → "M*** R***": initials only, word lengths hidden. */
export function maskName(value: string): string {
  return String(value)
    .split(/(\s+)/)
    .map((part) => (part.trim() === '' ? part : `${Array.from(part)[0] ?? ''}***`))
    .join('');
}

/** +39 333 1234567 → ********567 */
export function maskPhone(value: string): string {
  const compact = String(value).replace(/[\s().-]/g, '');
  return keepEnds(compact, 0, 3);
}

/** Street name and number: nothing is kept but the first character. */
export function maskAddress(value: string): string {
  const text = String(value);
  return text.length === 0 ? '' : `${text.charAt(0)}***`;
}

type Kind = 'secret' | 'fiscalCode' | 'iban' | 'email' | 'name' | 'phone' | 'address';

/** Normalised key (lower case, letters and digits only) → what its value is. */
const KEY_KINDS: Readonly<Record<string, Kind>> = {
  // fiscal codes
  fiscalcode: 'fiscalCode',
  taxcode: 'fiscalCode',
  codicefiscale: 'fiscalCode',
  cf: 'fiscalCode',
  debtorfiscalcode: 'fiscalCode',
  payerfiscalcode: 'fiscalCode',
  entityuniqueidentifiervalue: 'fiscalCode',
  uniqueidentifiervalue: 'fiscalCode',
  partitaiva: 'fiscalCode',
  vatnumber: 'fiscalCode',
  // bank accounts
  iban: 'iban',
  postaliban: 'iban',
  ibanaccredito: 'iban',
  ibanappoggio: 'iban',
  creditoriban: 'iban',
  // e-mail
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  pec: 'email',
  // names
  fullname: 'name',
  companyname: 'name',
  name: 'name',
  firstname: 'name',
  lastname: 'name',
  surname: 'name',
  givenname: 'name',
  familyname: 'name',
  debtorname: 'name',
  debtorfullname: 'name',
  payername: 'name',
  payerfullname: 'name',
  nome: 'name',
  cognome: 'name',
  nomecompleto: 'name',
  ragionesociale: 'name',
  anagraficapagatore: 'name',
  // phones
  phone: 'phone',
  phonenumber: 'phone',
  mobile: 'phone',
  mobilephone: 'phone',
  telephone: 'phone',
  cellphone: 'phone',
  tel: 'phone',
  telefono: 'phone',
  // addresses
  streetname: 'address',
  civicnumber: 'address',
  address: 'address',
  addressline: 'address',
  indirizzo: 'address',
  civico: 'address',
};

/** Fragments that make a key a secret wherever they appear in it (apiKey, clientSecret, x-receipt-signature...). */
const SECRET_KEY_FRAGMENTS = [
  'apikey',
  'secret',
  'password',
  'passwd',
  'token',
  'authorization',
  'subscriptionkey',
  'signature',
  'privatekey',
  'cookie',
  'credential',
];

function kindOfKey(key: string): Kind | undefined {
  const normalised = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_KEY_FRAGMENTS.some((fragment) => normalised.includes(fragment))) return 'secret';
  return KEY_KINDS[normalised];
}

const MASKERS: Readonly<Record<Exclude<Kind, 'secret'>, (value: string) => string>> = {
  fiscalCode: maskFiscalCode,
  iban: maskIban,
  email: maskEmail,
  name: maskName,
  phone: maskPhone,
  address: maskAddress,
};

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** An IBAN written compact (IT60X054...) or in print groups of 4 (IT60 X054 2811 ...). */
const IBAN_IN_TEXT = /\b([A-Z]{2})\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b/g;
const CODICE_FISCALE_IN_TEXT =
  /\b[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]\b/g;

/** Masks every e-mail, IBAN-looking and codice-fiscale-looking token inside free text. */
export function maskFreeText(text: string): string {
  return text
    .replace(EMAIL_IN_TEXT, (match) => maskEmail(match))
    .replace(IBAN_IN_TEXT, (match, country: string) => (country in IBAN_LENGTHS ? maskIban(match) : match))
    .replace(CODICE_FISCALE_IN_TEXT, (match) => maskFiscalCode(match));
}

/**
 * A copy of `value` safe to log: values under well-known keys masked by kind, secrets redacted,
 * every other string scanned with `maskFreeText`. The input is never modified.
 */
export function maskPersonalData(value: unknown): unknown {
  return walk(value, undefined, new WeakSet<object>());
}

function maskAs(kind: Kind, text: string): string {
  return kind === 'secret' ? REDACTED : MASKERS[kind](text);
}

function walk(value: unknown, kind: Kind | undefined, seen: WeakSet<object>): unknown {
  if (kind === 'secret' && value !== null && value !== undefined) return REDACTED;
  if (typeof value === 'string') return kind ? maskAs(kind, value) : maskFreeText(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    return kind ? maskAs(kind, String(value)) : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, kind, seen));
    if (value instanceof Date) return value;
    if (value instanceof Error) {
      const out: Record<string, unknown> = { name: value.name, message: maskFreeText(value.message) };
      if (value.stack) out.stack = maskFreeText(value.stack);
      for (const [key, inner] of Object.entries(value)) out[key] = walk(inner, kindOfKey(key) ?? kind, seen);
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      for (const [key, inner] of value) {
        out.set(key, walk(inner, (typeof key === 'string' ? kindOfKey(key) : undefined) ?? kind, seen));
      }
      return out;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = walk(inner, kindOfKey(key) ?? kind, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}
