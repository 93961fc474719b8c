/**
 * Spontaneous payments (pagamenti spontanei, "sportello virtuale"): services a tenant lets a
 * citizen pay without a prior debt position — a certificate's fee (diritti di segreteria), a school
 * canteen top-up. The citizen (on the counter) or a PSP (paDemandPaymentNotice) fills in the
 * service's form; the layer then creates the position itself.
 *
 * A service, as provisioned (seed / `admin create-tenant`, `spontaneousServices` of an organization):
 *
 *   id                    5 characters A-Z 0-9; also the idServizio of paDemandPaymentNotice
 *                         (paForNode.xsd stIdentificativoServizio: length 5)
 *   name, description     shown to the citizen (name ≤ 70, description ≤ 300)
 *   taxonomy              the transfer category (shared/domain/taxonomy.ts), e.g. 9/0101101SP/
 *   iban?                 one of the organization's IBANs (default: its first)
 *   remittanceInformation the transfer's causale (≤ 140)
 *   validityDays?         due date = today (Europe/Rome) + N days, end of that day (default 30, 1..365)
 *   amount                one of
 *                           {"fixed": <cents>}
 *                           {"perUnit": <cents>, "quantityField": "<integer field>"}   amount = perUnit × quantity
 *                           {"field": "<number|integer field>", "min": <cents>, "max": <cents>}
 *                             the field holds EUROS as the citizen types them ("12.50", at most
 *                             2 decimals); min/max are cents, like every amount inside the layer
 *   form                  the form, in the subset of JSON Schema below
 *
 * The JSON Schema subset (anything else is refused at provisioning, naming the keyword):
 *   { "type": "object", "title"?, "description"?, "properties": {…}, "required"?: [names],
 *     "additionalProperties"?: false }
 *   property names: 1..40 characters [A-Za-z][A-Za-z0-9_]* (they are also the element names of
 *     paDemandPaymentNotice's datiSpecificiServizio), at most 15 properties, and none of the
 *     payer's element names (PAYER_ELEMENTS)
 *   a property: "title"? (its label), "description"? (its hint), and by "type":
 *     "string"   minLength?, maxLength? (≤ 500, default 200), pattern? (a JavaScript regular
 *                expression, matched whole), enum? (1..50 strings), format? "date" (YYYY-MM-DD) | "email"
 *     "integer"  minimum?, maximum?       "number"  minimum?, maximum?       "boolean"
 * Extra values are never accepted (as if additionalProperties were false).
 *
 * zod 4's `z.fromJSONSchema` was tried and not used: it accepts any keyword (the definition could
 * not be refused for using one outside the subset), does not coerce the strings an HTML form posts,
 * and its messages are not the counter's Italian ones. The zod schema is built here from the subset.
 *
 * Form messages are in Italian: the citizen reads them on the counter (the PSP's fault description
 * carries them too).
 */
import * as z from 'zod';
import { romeCalendarDay, romeDayEnd } from './dates';
import type { Debtor, PositionContent } from './debt-position';
import { validateDebtorFiscalCode } from './fiscal-code';
import { MAX_NOTICE_AMOUNT_CENTS, decimalStringToCents } from './money';
import { validateTaxonomyCode } from './taxonomy';

// ---- the definition --------------------------------------------------------------------------

/**
 * A problem naming its field: the same shape as FieldError (debt-position-rules.ts), declared here
 * because organization.ts imports this module (no import cycle between them).
 */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** What the rules read of the organization (organization.ts imports this module, not the other way). */
export interface ServiceOwner {
  readonly ibans: readonly string[];
  readonly name: string;
}

export const SERVICE_ID_PATTERN = /^[A-Z0-9]{5}$/;
export const FORM_FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
export const MAX_FORM_FIELDS = 15;
export const DEFAULT_VALIDITY_DAYS = 30;
export const DEFAULT_STRING_MAX_LENGTH = 200;
/** element names of the payer in datiSpecificiServizio (as pagopa-api catalogo-servizi/A001_Passaporto_1_0_0.xsd names them) */
export const PAYER_ELEMENTS = ['codiceFiscalePagatore', 'denominazionePagatore', 'tipoPagatore', 'emailPagatore', 'pagatore'] as const;

const label = { title: z.string().trim().min(1).max(100).optional(), description: z.string().trim().min(1).max(300).optional() };

const validRegex = (pattern: string): boolean => {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
};

const stringProperty = z
  .strictObject({
    type: z.literal('string'),
    ...label,
    minLength: z.number().int().min(0).max(500).optional(),
    maxLength: z.number().int().min(1).max(500).optional(),
    pattern: z.string().min(1).max(200).refine(validRegex, 'is not a valid regular expression').optional(),
    enum: z.array(z.string().min(1).max(140)).min(1).max(50).optional(),
    format: z.enum(['date', 'email']).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.minLength !== undefined && p.maxLength !== undefined && p.minLength > p.maxLength) {
      ctx.addIssue({ code: 'custom', path: ['minLength'], message: 'is greater than maxLength' });
    }
    if (p.enum && new Set(p.enum).size !== p.enum.length) ctx.addIssue({ code: 'custom', path: ['enum'], message: 'has repeated values' });
  });

const numericProperty = <T extends 'integer' | 'number'>(type: T) =>
  z
    .strictObject({
      type: z.literal(type),
      ...label,
      minimum: (type === 'integer' ? z.number().int() : z.number()).optional(),
      maximum: (type === 'integer' ? z.number().int() : z.number()).optional(),
    })
    .refine((p) => p.minimum === undefined || p.maximum === undefined || p.minimum <= p.maximum, {
      path: ['minimum'],
      message: 'is greater than maximum',
    });

const booleanProperty = z.strictObject({ type: z.literal('boolean'), ...label });

export const formPropertySchema = z.discriminatedUnion('type', [
  stringProperty,
  numericProperty('integer'),
  numericProperty('number'),
  booleanProperty,
]);
export type FormProperty = z.infer<typeof formPropertySchema>;

export const serviceFormSchema = z
  .strictObject({
    type: z.literal('object'),
    ...label,
    properties: z.record(
      z.string().regex(FORM_FIELD_NAME_PATTERN, 'a field name is 1..40 characters [A-Za-z][A-Za-z0-9_]*'),
      formPropertySchema,
    ),
    required: z.array(z.string()).max(MAX_FORM_FIELDS).optional(),
    additionalProperties: z.literal(false).optional(),
  })
  .superRefine((form, ctx) => {
    const names = Object.keys(form.properties);
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['properties'], message: 'at least one field is required' });
    if (names.length > MAX_FORM_FIELDS) ctx.addIssue({ code: 'custom', path: ['properties'], message: `at most ${MAX_FORM_FIELDS} fields` });
    for (const name of names) {
      if ((PAYER_ELEMENTS as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['properties', name], message: `is reserved for the payer (${PAYER_ELEMENTS.join(', ')})` });
      }
    }
    (form.required ?? []).forEach((name, i) => {
      if (!names.includes(name)) ctx.addIssue({ code: 'custom', path: ['required', i], message: `names no field of the form: ${name}` });
    });
    if (form.required && new Set(form.required).size !== form.required.length) {
      ctx.addIssue({ code: 'custom', path: ['required'], message: 'has repeated names' });
    }
  });
export type ServiceForm = z.infer<typeof serviceFormSchema>;

const cents = z.number().int().min(1).max(MAX_NOTICE_AMOUNT_CENTS);

export const amountRuleSchema = z.union([
  z.strictObject({ fixed: cents }),
  z.strictObject({ perUnit: cents, quantityField: z.string().min(1) }),
  z
    .strictObject({ field: z.string().min(1), min: cents, max: cents })
    .refine((r) => r.min <= r.max, { path: ['min'], message: 'is greater than max' }),
]);
export type AmountRule = z.infer<typeof amountRuleSchema>;

/** One spontaneous service, as provisioned (see the top of this file). */
export const spontaneousServiceSchema = z.strictObject({
  id: z.string().regex(SERVICE_ID_PATTERN, 'must be 5 characters A-Z 0-9 (the idServizio of paDemandPaymentNotice)'),
  name: z.string().trim().min(1).max(70),
  description: z.string().trim().min(1).max(300),
  taxonomy: z.string().superRefine((value, ctx) => {
    const reason = validateTaxonomyCode(value);
    if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
  }),
  iban: z.string().min(15).max(34).optional(),
  remittanceInformation: z.string().trim().min(1).max(140),
  validityDays: z.number().int().min(1).max(365).optional(),
  amount: amountRuleSchema,
  form: serviceFormSchema,
});

export interface SpontaneousService {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly taxonomy: string;
  readonly iban?: string;
  readonly remittanceInformation: string;
  readonly validityDays?: number;
  readonly amount: AmountRule;
  readonly form: ServiceForm;
}

/**
 * What the schema cannot see alone: the amount rule's field exists and has the right type, the
 * IBAN is one of the organization's. Fields are named from the service (`amount.quantityField`).
 */
export function checkServiceDefinition(service: SpontaneousService, organization: Pick<ServiceOwner, 'ibans'>): FieldError[] {
  const errors: FieldError[] = [];
  const properties = service.form.properties;
  const rule = service.amount;
  if ('quantityField' in rule) {
    const p = properties[rule.quantityField];
    if (!p) errors.push({ field: 'amount.quantityField', message: `names no field of the form: ${rule.quantityField}` });
    else if (p.type !== 'integer') errors.push({ field: 'amount.quantityField', message: `${rule.quantityField} must be an integer field, it is ${p.type}` });
    else if (!(service.form.required ?? []).includes(rule.quantityField)) {
      errors.push({ field: 'amount.quantityField', message: `${rule.quantityField} must be required` });
    }
  }
  if ('field' in rule) {
    const p = properties[rule.field];
    if (!p) errors.push({ field: 'amount.field', message: `names no field of the form: ${rule.field}` });
    else if (p.type !== 'number' && p.type !== 'integer') errors.push({ field: 'amount.field', message: `${rule.field} must be a number field (euros), it is ${p.type}` });
    else if (!(service.form.required ?? []).includes(rule.field)) errors.push({ field: 'amount.field', message: `${rule.field} must be required` });
  }
  if (service.iban !== undefined && !organization.ibans.includes(service.iban)) {
    errors.push({ field: 'iban', message: "is not one of the organization's IBANs" });
  }
  if (service.iban === undefined && organization.ibans.length === 0) {
    errors.push({ field: 'iban', message: 'the organization has no IBAN to credit' });
  }
  return errors;
}

// ---- the citizen's form ----------------------------------------------------------------------

export type FormValue = string | number | boolean;
export type FormValues = Readonly<Record<string, FormValue>>;

const EMAIL = /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDay(ymd: string): boolean {
  if (!DATE.test(ymd)) return false;
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** '' (and a string of blanks) is "not given"; strings are trimmed. */
const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function numberFrom(value: unknown, integer: boolean): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && (!integer || Number.isInteger(value)) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  // an HTML form posts text; an Italian citizen may type a decimal comma
  const text = value.trim().replace(',', '.');
  const pattern = integer ? /^[+-]?\d{1,15}$/ : /^[+-]?\d{1,15}(?:\.\d{1,6})?$/;
  return pattern.test(text) ? Number(text) : undefined;
}

function propertySchema(p: FormProperty): z.ZodType<FormValue> {
  switch (p.type) {
    case 'string': {
      const max = p.maxLength ?? DEFAULT_STRING_MAX_LENGTH;
      // a JSON client may send a number where the form asks for text (a code made of digits)
      let s: z.ZodType<string> = z
        .preprocess((v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v), z.string({ error: 'deve essere un testo' }))
        .pipe(z.string().trim())
        .refine((v) => [...v].length <= max, `al massimo ${max} caratteri`)
        .refine((v) => p.minLength === undefined || [...v].length >= p.minLength, `almeno ${p.minLength} caratteri`);
      if (p.pattern !== undefined) {
        const re = new RegExp(`^(?:${p.pattern})$`, 'u');
        s = s.refine((v) => re.test(v), 'non è nel formato richiesto');
      }
      if (p.enum !== undefined) {
        const allowed = p.enum;
        s = s.refine((v) => allowed.includes(v), `deve essere uno di: ${allowed.join(', ')}`);
      }
      if (p.format === 'date') s = s.refine(isCalendarDay, 'deve essere una data (AAAA-MM-GG)');
      if (p.format === 'email') s = s.refine((v) => v.length <= 254 && EMAIL.test(v), 'deve essere un indirizzo e-mail');
      return s;
    }
    case 'integer':
    case 'number': {
      const integer = p.type === 'integer';
      let n = z
        .unknown()
        .transform((v, ctx) => {
          const parsed = numberFrom(v, integer);
          if (parsed === undefined) {
            ctx.addIssue({ code: 'custom', message: integer ? 'deve essere un numero intero' : 'deve essere un numero' });
            return z.NEVER;
          }
          return parsed;
        }) as unknown as z.ZodType<number>;
      if (p.minimum !== undefined) {
        const min = p.minimum;
        n = n.refine((v) => v >= min, `deve essere almeno ${min}`);
      }
      if (p.maximum !== undefined) {
        const max = p.maximum;
        n = n.refine((v) => v <= max, `deve essere al massimo ${max}`);
      }
      return n;
    }
    case 'boolean':
      return z.unknown().transform((v, ctx) => {
        if (v === true || v === 'true' || v === 'on' || v === '1') return true;
        if (v === false || v === 'false' || v === '0') return false;
        ctx.addIssue({ code: 'custom', message: 'deve essere sì o no' });
        return z.NEVER;
      }) as unknown as z.ZodType<boolean>;
  }
}

/**
 * The citizen's (or the PSP's) values → the form's values, typed and trimmed, or every problem,
 * each naming its field: missing required fields, values of the wrong type or out of range, fields
 * the form does not have, and the amount rule's limits (on the amount's own field). A required
 * boolean must be true (a checkbox the citizen must tick). An absent optional boolean is false.
 */
export function validateServiceForm(service: SpontaneousService, values: Readonly<Record<string, unknown>>): { values: FormValues } | FieldError[] {
  const errors: FieldError[] = [];
  const out: Record<string, FormValue> = {};
  const properties = service.form.properties;
  const required = new Set(service.form.required ?? []);
  for (const name of Object.keys(values)) {
    if (!Object.prototype.hasOwnProperty.call(properties, name)) errors.push({ field: name, message: 'non è un campo di questo modulo' });
  }
  for (const [name, property] of Object.entries(properties)) {
    const raw = values[name];
    if (blank(raw) || (property.type === 'boolean' && required.has(name) && (raw === false || raw === 'false' || raw === '0'))) {
      if (required.has(name)) errors.push({ field: name, message: property.type === 'boolean' ? 'deve essere confermato' : 'è obbligatorio' });
      else if (property.type === 'boolean') out[name] = false;
      continue;
    }
    const parsed = propertySchema(property).safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ field: name, message: issue.message });
      continue;
    }
    out[name] = parsed.data;
  }
  if (errors.length === 0) errors.push(...amountErrors(service, out));
  return errors.length > 0 ? errors : { values: out };
}

function amountErrors(service: SpontaneousService, values: FormValues): FieldError[] {
  const rule = service.amount;
  if ('field' in rule) {
    const cents = euroCents(values[rule.field]);
    if (cents === undefined) return [{ field: rule.field, message: "deve essere un importo in euro con al massimo due decimali" }];
    if (cents < rule.min || cents > rule.max) {
      return [{ field: rule.field, message: `deve essere tra ${euros(rule.min)} € e ${euros(rule.max)} €` }];
    }
    return [];
  }
  const amount = amountOf(service, values);
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_NOTICE_AMOUNT_CENTS) {
    const field = 'quantityField' in rule ? rule.quantityField : 'amount';
    return [{ field, message: `l'importo risultante non è valido (tra 0,01 € e ${euros(MAX_NOTICE_AMOUNT_CENTS)} €)` }];
  }
  return [];
}

const euros = (c: number): string => `${Math.floor(c / 100)},${String(c % 100).padStart(2, '0')}`;

function euroCents(value: FormValue | undefined): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const text = value.toString();
  if (/e/i.test(text)) return undefined;
  return decimalStringToCents(text) ?? undefined;
}

/** The amount due, in cents, for values validateServiceForm accepted. */
export function amountOf(service: SpontaneousService, values: FormValues): number {
  const rule = service.amount;
  if ('fixed' in rule) return rule.fixed;
  if ('perUnit' in rule) return rule.perUnit * Number(values[rule.quantityField]);
  const cents = euroCents(values[rule.field]);
  if (cents === undefined) throw new RangeError(`${rule.field} holds no amount in euros`);
  return cents;
}

// ---- the position ----------------------------------------------------------------------------

export interface SpontaneousPayer {
  readonly type: 'F' | 'G';
  readonly fiscalCode: string;
  readonly fullName: string;
  readonly email?: string;
}

/** The payer's problems, each naming its field (debtor.fiscalCode, debtor.fullName, debtor.email). */
export function checkPayer(payer: SpontaneousPayer): FieldError[] {
  const errors: FieldError[] = [];
  const reason = validateDebtorFiscalCode(payer.type, payer.fiscalCode);
  if (reason !== null) errors.push({ field: 'debtor.fiscalCode', message: reason });
  const name = payer.fullName.trim();
  if (name.length === 0 || [...name].length > 70) errors.push({ field: 'debtor.fullName', message: 'must be 1..70 characters' });
  if (payer.email !== undefined && !(payer.email.length <= 254 && EMAIL.test(payer.email))) {
    errors.push({ field: 'debtor.email', message: 'is not an e-mail address' });
  }
  return errors;
}

/** "2026-03-31" + 30 → "2026-04-30" (calendar days). */
function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The last instant of the Rome day `validityDays` after today (Rome). */
export function dueDateOf(service: Pick<SpontaneousService, 'validityDays'>, now: Date): string {
  return romeDayEnd(addDays(romeCalendarDay(now.toISOString()), service.validityDays ?? DEFAULT_VALIDITY_DAYS));
}

const fit = (text: string, max: number): string => ([...text].length <= max ? text : `${[...text].slice(0, max - 1).join('')}…`);

/**
 * The content of the position a spontaneous payment creates: one option (the single payment) of
 * the computed amount, due `validityDays` after today, with one transfer to the service's IBAN
 * (default the organization's first) with its taxonomy and remittance text. The form's values are
 * kept as the option's metadata (key = field name), so the creditor sees what was asked for.
 */
export function spontaneousPositionContent(
  service: SpontaneousService,
  organization: ServiceOwner,
  input: { readonly payer: SpontaneousPayer; readonly values: FormValues; readonly now: Date },
): PositionContent {
  const amount = amountOf(service, input.values);
  const iban = service.iban ?? organization.ibans[0];
  if (iban === undefined) throw new RangeError('the organization has no IBAN');
  const debtor: Debtor = {
    type: input.payer.type,
    fiscalCode: input.payer.fiscalCode,
    fullName: input.payer.fullName.trim(),
    ...(input.payer.email !== undefined ? { email: input.payer.email } : {}),
  };
  const metadata = Object.entries(input.values)
    .filter(([, v]) => v !== '')
    .map(([key, v]) => ({ key, value: fit(String(v), 140) }));
  return {
    debtor,
    companyName: organization.name,
    switchToExpired: true,
    payStandIn: false,
    paymentOptions: [
      {
        amount,
        description: fit(service.name, 140),
        isPartialPayment: false,
        dueDate: dueDateOf(service, input.now),
        fee: 0,
        metadata,
        transfers: [
          {
            idTransfer: '1',
            amount,
            remittanceInformation: service.remittanceInformation,
            category: service.taxonomy,
            iban,
            metadata: [],
          },
        ],
      },
    ],
  };
}
