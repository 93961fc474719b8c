/**
 * Per-tenant Italian templates of the App IO messages the layer sends, one per message kind.
 *
 * A template is a subject (plain text) and a markdown body with placeholders:
 *   {{amount}}        "1.020,99" (Italian format, no currency sign)
 *   {{dueDate}}       "31/12/2025" (Europe/Rome), or "senza scadenza" when the option has none
 *   {{noticeNumber}}  "3020 0000 0000 0001 84" (grouped as on the printed notice)
 *   {{description}}   the payment option's description (≤ 140 characters)
 *   {{creditorName}}  the creditor's name (the municipality)
 *   {{daysLeft}}      days to the due date (reminders only)
 *
 * `validateTemplate` renders a template with worst-case values (longest and shortest of every
 * placeholder, text that needs the most escaping) and refuses it when the subject or the markdown
 * could fall outside IO's limits, so a bad template is refused when a tenant saves it rather than
 * when a message fails. User-provided text (description, creditor name) is escaped in markdown so
 * that it cannot inject links, images, HTML or formatting.
 *
 * Pure: no I/O, no clock.
 */
import * as z from 'zod';
import { formatEuroItalian, MAX_AMOUNT_CENTS } from '../money';
import { formatNoticeNumberForPrint } from '../notice-number';
import { IO_LIMITS } from './io-api';

export const MESSAGE_KINDS = ['new-notice', 'reminder', 'receipt', 'cancellation'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const PLACEHOLDERS = ['amount', 'dueDate', 'noticeNumber', 'description', 'creditorName', 'daysLeft'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * Characters of the markdown kept free for the link to the citizen's counter the layer appends
 * (messages.ts `counterLink`): a template must fit IO's limit with this much room left.
 */
export const COUNTER_LINK_RESERVE = 300;

/** Which placeholders each kind may use: only a reminder knows how many days are left. */
export const PLACEHOLDERS_BY_KIND: Readonly<Record<MessageKind, readonly Placeholder[]>> = {
  'new-notice': ['amount', 'dueDate', 'noticeNumber', 'description', 'creditorName'],
  reminder: ['amount', 'dueDate', 'noticeNumber', 'description', 'creditorName', 'daysLeft'],
  receipt: ['amount', 'dueDate', 'noticeNumber', 'description', 'creditorName'],
  cancellation: ['amount', 'dueDate', 'noticeNumber', 'description', 'creditorName'],
};

/** Bounds of the values a placeholder can take; the worst cases validation renders with. */
export const PLACEHOLDER_BOUNDS = {
  /** GPD / SOAP description limit */
  descriptionMaxLength: 140,
  descriptionMinLength: 1,
  /** the node's 70-character names (stText70, paForNode.xsd in pagopa/pagopa-api); a tenant may validate against its actual name instead */
  creditorNameMaxLength: 70,
  creditorNameMinLength: 1,
  /** the largest amount of a notice; IO's own limit (9999999999 cents) is lower */
  amountMaxCents: MAX_AMOUNT_CENTS,
  /** reminders are sent at most this many days ahead */
  daysLeftMax: 9_999,
} as const;

export interface MessageTemplate {
  /** plain text, one line */
  readonly subject: string;
  /** markdown: headings, emphasis and lists are what the IO app renders */
  readonly markdown: string;
}

/** A tenant's own templates; a kind it has not customised uses the default. */
export type TenantMessageTemplates = Partial<Record<MessageKind, MessageTemplate>>;

/** Shape of a template as stored or received (validateTemplate then checks its content). */
export const MessageTemplateSchema = z.object({
  subject: z.string().max(1_000),
  markdown: z.string().max(20_000),
});
export const TenantMessageTemplatesSchema = z.partialRecord(z.enum(MESSAGE_KINDS), MessageTemplateSchema);

export interface MessageData {
  readonly amountCents: number;
  /** ISO-8601 UTC; absent for a notice without due date ("senza scadenza") */
  readonly dueDate?: string;
  /** 18 digits */
  readonly noticeNumber: string;
  readonly description: string;
  readonly creditorName: string;
  /** reminders only; whole days, ≥ 0 */
  readonly daysLeft?: number;
}

export interface RenderedMessage {
  readonly subject: string;
  readonly markdown: string;
}

export type TemplateErrorCode =
  | 'NOT_TEXT'
  | 'UNKNOWN_PLACEHOLDER'
  | 'PLACEHOLDER_NOT_ALLOWED'
  | 'MALFORMED_PLACEHOLDER'
  | 'MULTILINE_SUBJECT'
  | 'TOO_SHORT'
  | 'TOO_LONG';

export interface TemplateError {
  readonly field: 'subject' | 'markdown';
  readonly code: TemplateErrorCode;
  readonly message: string;
}

export type TemplateValidation =
  | { readonly ok: true; readonly lengths: { subject: LengthRange; markdown: LengthRange } }
  | { readonly ok: false; readonly errors: readonly TemplateError[] };

export interface LengthRange {
  readonly min: number;
  readonly max: number;
}

export class MessageRenderError extends Error {
  constructor(
    readonly code: 'INVALID_TEMPLATE' | 'INVALID_DATA',
    message: string,
  ) {
    super(message);
    this.name = 'MessageRenderError';
  }
}

const PAYMENT_BLOCK = [
  '**Importo:** {{amount}} €',
  '',
  '**Scadenza:** {{dueDate}}',
  '',
  '**Codice avviso:** {{noticeNumber}}',
].join('\n');

/** Default Italian templates; each passes `validateTemplate` for its kind. */
export const DEFAULT_TEMPLATES: Readonly<Record<MessageKind, MessageTemplate>> = {
  'new-notice': {
    subject: 'Nuovo avviso di pagamento',
    markdown: [
      '{{creditorName}} ti ha inviato un avviso di pagamento pagoPA.',
      '',
      '**Causale:** {{description}}',
      '',
      PAYMENT_BLOCK,
      '',
      'Puoi pagare direttamente in app con il pulsante qui sotto, oppure presso gli sportelli e i canali abilitati a pagoPA usando il codice avviso.',
    ].join('\n'),
  },
  reminder: {
    subject: 'Promemoria: avviso di pagamento in scadenza',
    markdown: [
      'Ti ricordiamo che l’avviso di pagamento di {{creditorName}} è in scadenza.',
      '',
      '**Giorni alla scadenza:** {{daysLeft}}',
      '',
      '**Causale:** {{description}}',
      '',
      PAYMENT_BLOCK,
      '',
      'Se hai già pagato, non devi fare nulla: il pagamento potrebbe non essere ancora stato registrato.',
    ].join('\n'),
  },
  receipt: {
    subject: 'Pagamento ricevuto, grazie',
    markdown: [
      '{{creditorName}} ha ricevuto il tuo pagamento pagoPA.',
      '',
      '**Causale:** {{description}}',
      '',
      '**Importo pagato:** {{amount}} €',
      '',
      '**Codice avviso:** {{noticeNumber}}',
      '',
      'La ricevuta di pagamento è disponibile nella sezione Pagamenti dell’app.',
    ].join('\n'),
  },
  cancellation: {
    subject: 'Avviso di pagamento annullato',
    markdown: [
      '{{creditorName}} ha annullato l’avviso di pagamento che ti aveva inviato.',
      '',
      '**Causale:** {{description}}',
      '',
      '**Importo:** {{amount}} €',
      '',
      '**Codice avviso:** {{noticeNumber}}',
      '',
      'Non devi pagare questo avviso. Se hai già pagato, contatta l’ufficio che lo ha emesso.',
    ].join('\n'),
  },
};

/** The tenant's template for a kind, or the default. */
export function resolveTemplate(kind: MessageKind, tenantTemplates?: TenantMessageTemplates): MessageTemplate {
  return tenantTemplates?.[kind] ?? DEFAULT_TEMPLATES[kind];
}

/**
 * Checks a template for a kind: known and allowed placeholders only, a one-line subject, and
 * subject/markdown lengths within IO's limits for every possible value of the placeholders.
 * `creditorName`, when given, is the tenant's actual name (tighter than the generic worst case).
 */
export function validateTemplate(
  template: MessageTemplate,
  options: { kind?: MessageKind; creditorName?: string } = {},
): TemplateValidation {
  const kind = options.kind;
  const allowed = kind ? PLACEHOLDERS_BY_KIND[kind] : PLACEHOLDERS;
  const errors: TemplateError[] = [];

  for (const field of ['subject', 'markdown'] as const) {
    const text = template[field];
    if (typeof text !== 'string') {
      errors.push({ field, code: 'NOT_TEXT', message: `${field} must be a string` });
      continue;
    }
    for (const problem of scanPlaceholders(text, allowed)) errors.push({ field, ...problem });
  }
  if (typeof template.subject === 'string' && /[\r\n]/.test(template.subject)) {
    errors.push({ field: 'subject', code: 'MULTILINE_SUBJECT', message: 'the subject must be a single line' });
  }
  if (errors.length > 0) return { ok: false, errors };

  const extremes = worstCaseData(options.creditorName);
  const subjects = extremes.map((d) => renderText(template.subject, d, 'plain').length);
  const bodies = extremes.map((d) => renderText(template.markdown, d, 'markdown').length);
  const lengths = {
    subject: { min: Math.min(...subjects), max: Math.max(...subjects) },
    markdown: { min: Math.min(...bodies), max: Math.max(...bodies) },
  };
  checkRange('subject', lengths.subject, IO_LIMITS.subject, errors);
  checkRange('markdown', lengths.markdown, { ...IO_LIMITS.markdown, max: IO_LIMITS.markdown.max - COUNTER_LINK_RESERVE }, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, lengths };
}

/**
 * Renders a message of a kind with a template (the default for the kind when `template` is
 * undefined). Throws MessageRenderError when the template is not valid for the kind, or when
 * the data is outside the bounds templates are validated against (so the result always fits IO).
 */
export function renderMessage(
  kind: MessageKind,
  template: MessageTemplate | undefined,
  data: MessageData,
): RenderedMessage {
  const chosen = template ?? DEFAULT_TEMPLATES[kind];
  // the same bounds the tenant's template was saved against: its actual creditor name
  const validation = validateTemplate(chosen, { kind, creditorName: oneLineTrimmed(data.creditorName) });
  if (!validation.ok) {
    throw new MessageRenderError(
      'INVALID_TEMPLATE',
      validation.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    );
  }
  assertRenderable(kind, data);
  return {
    subject: renderText(chosen.subject, data, 'plain'),
    markdown: renderText(chosen.markdown, data, 'markdown'),
  };
}

/** "2025-12-31T22:59:59.000Z" → "31/12/2025"... in Europe/Rome: that instant is 23:59 on the 31st. */
export function formatDateItalian(isoUtc: string): string {
  const date = new Date(isoUtc);
  if (Number.isNaN(date.getTime())) throw new RangeError('not a date');
  const parts = ROME_DATE.formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')}`;
}

/**
 * Escapes text for CommonMark/GFM so that it renders as the same literal text: every ASCII
 * punctuation character gets a backslash (no links, images, HTML, emphasis, code, headings,
 * lists or tables can start from it; `:` and `.` escaped also stop GFM's bare-URL autolinks),
 * and line breaks and other control characters become spaces so nothing starts a new block.
 */
export function escapeMarkdown(text: string): string {
  return toOneLine(text).replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

const ROME_DATE = new Intl.DateTimeFormat('it-IT', {
  timeZone: 'Europe/Rome',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

const PLACEHOLDER_RE = /\{\{([^{}]*)\}\}/g;

function scanPlaceholders(
  text: string,
  allowed: readonly Placeholder[],
): Array<{ code: TemplateErrorCode; message: string }> {
  const problems: Array<{ code: TemplateErrorCode; message: string }> = [];
  for (const match of text.matchAll(PLACEHOLDER_RE)) {
    const name = match[1] ?? '';
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      problems.push({ code: 'UNKNOWN_PLACEHOLDER', message: `unknown placeholder {{${name}}}` });
    } else if (!allowed.includes(name as Placeholder)) {
      problems.push({
        code: 'PLACEHOLDER_NOT_ALLOWED',
        message: `placeholder {{${name}}} is not available for this kind of message`,
      });
    }
  }
  const rest = text.replace(PLACEHOLDER_RE, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    problems.push({ code: 'MALFORMED_PLACEHOLDER', message: 'unbalanced {{ or }}: write placeholders as {{name}}' });
  }
  return problems;
}

function checkRange(
  field: 'subject' | 'markdown',
  range: LengthRange,
  limit: { min: number; max: number },
  errors: TemplateError[],
): void {
  if (range.max > limit.max) {
    errors.push({
      field,
      code: 'TOO_LONG',
      message: `${field} can reach ${range.max} characters; App IO accepts at most ${limit.max}`,
    });
  }
  if (range.min < limit.min) {
    errors.push({
      field,
      code: 'TOO_SHORT',
      message: `${field} can be as short as ${range.min} characters; App IO requires at least ${limit.min}`,
    });
  }
}

type Mode = 'plain' | 'markdown';

function renderText(template: string, data: MessageData, mode: Mode): string {
  return template.replace(PLACEHOLDER_RE, (_, name: string) => valueOf(name as Placeholder, data, mode));
}

function valueOf(name: Placeholder, data: MessageData, mode: Mode): string {
  const userText = (s: string): string => (mode === 'markdown' ? escapeMarkdown(oneLineTrimmed(s)) : oneLineTrimmed(s));
  switch (name) {
    case 'amount':
      return formatEuroItalian(data.amountCents);
    case 'dueDate':
      return data.dueDate === undefined ? 'senza scadenza' : formatDateItalian(data.dueDate);
    case 'noticeNumber':
      return formatNoticeNumberForPrint(data.noticeNumber);
    case 'description':
      return userText(data.description);
    case 'creditorName':
      return userText(data.creditorName);
    case 'daysLeft':
      return String(data.daysLeft ?? 0);
  }
}

function oneLineTrimmed(text: string): string {
  return toOneLine(text).trim();
}

function toOneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

/** The data combinations that give the shortest and the longest rendering of any template. */
function worstCaseData(creditorName?: string): MessageData[] {
  const b = PLACEHOLDER_BOUNDS;
  const base = { noticeNumber: '302000000000000184' };
  // every ASCII punctuation character doubles when escaped: the longest markdown rendering
  const longest: MessageData = {
    ...base,
    amountCents: b.amountMaxCents,
    dueDate: '2025-12-31T12:00:00.000Z',
    description: '*'.repeat(b.descriptionMaxLength),
    creditorName: creditorName ?? '*'.repeat(b.creditorNameMaxLength),
    daysLeft: b.daysLeftMax,
  };
  const shortest: MessageData = {
    ...base,
    amountCents: 1,
    dueDate: '2025-12-31T12:00:00.000Z',
    description: 'x'.repeat(b.descriptionMinLength),
    creditorName: creditorName ?? 'x'.repeat(b.creditorNameMinLength),
    daysLeft: 0,
  };
  // "senza scadenza" (14) is longer than a date (10): both ends are covered
  return [longest, shortest, { ...longest, dueDate: undefined }, { ...shortest, dueDate: undefined }];
}

function assertRenderable(kind: MessageKind, data: MessageData): void {
  const b = PLACEHOLDER_BOUNDS;
  const fail = (message: string): never => {
    throw new MessageRenderError('INVALID_DATA', message);
  };
  if (!Number.isSafeInteger(data.amountCents) || data.amountCents < 1 || data.amountCents > b.amountMaxCents) {
    fail('amountCents must be an integer between 1 and the largest notice amount');
  }
  if (!/^\d{18}$/.test(data.noticeNumber)) fail('noticeNumber must be 18 digits');
  if (data.dueDate !== undefined && Number.isNaN(new Date(data.dueDate).getTime())) fail('dueDate is not a date');
  const description = oneLineTrimmed(data.description);
  if (description.length < b.descriptionMinLength || description.length > b.descriptionMaxLength) {
    fail(`description must be 1..${b.descriptionMaxLength} characters`);
  }
  const name = oneLineTrimmed(data.creditorName);
  if (name.length < b.creditorNameMinLength || name.length > b.creditorNameMaxLength) {
    fail(`creditorName must be 1..${b.creditorNameMaxLength} characters`);
  }
  if (kind === 'reminder') {
    if (data.daysLeft === undefined || !Number.isSafeInteger(data.daysLeft) || data.daysLeft < 0 || data.daysLeft > b.daysLeftMax) {
      fail(`daysLeft must be an integer between 0 and ${b.daysLeftMax} for a reminder`);
    }
  }
}
