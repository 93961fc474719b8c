/**
 * App IO messages as the IO services API validates them (checked against
 * pagopa/io-functions-services `openapi/index.yaml` definitions NewMessage, MessageContent,
 * PaymentDataBase, Payee, LimitedProfile, ProblemJson, and @pagopa/ts-commons `strings`/`dates`).
 *
 * Pure: zod schemas and functions, no I/O. Used by the App IO client (before sending) and by the
 * local App IO simulator (to answer 400 exactly where IO would).
 *
 * Where IO is laxer than this module, this module is stricter on purpose (so that what we send is
 * always accepted):
 *  - `due_date`: ts-commons' IsoDateFromString also accepts a timestamp without zone or with a
 *    +hh:mm offset; the layer keeps dates in UTC, so only `...Z` timestamps are accepted here.
 *  - `feature_level_type` is an x-extensible-enum in IO; only STANDARD and ADVANCED exist today.
 *  - `fiscal_code` is optional in the NewMessage definition because IO also has
 *    `POST /messages/{fiscal_code}`; the layer uses `POST /messages`, where it is required.
 */
import * as z from 'zod';

export const IO_LIMITS = {
  /** MessageContentBase.subject: WithinRangeString(10, 121) */
  subject: { min: 10, max: 120 },
  /** MessageContentBase.markdown: WithinRangeString(80, 10001) */
  markdown: { min: 80, max: 10_000 },
  /** TimeToLiveSeconds, default 3600 */
  timeToLive: { min: 3_600, max: 604_800, default: 3_600 },
  /** PaymentDataBase.amount in euro cents */
  amount: { min: 1, max: 9_999_999_999 },
} as const;

/** ts-commons FiscalCode (persons; omocodia letters allowed; the check letter is not verified). */
export const PERSON_FISCAL_CODE_PATTERN =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
/** ts-commons OrganizationFiscalCode. */
export const ORGANIZATION_FISCAL_CODE_PATTERN = /^[0-9]{11}$/;
/** PaymentDataBase.notice_number ("Numero Avviso"), any aux digit 0..3. */
export const IO_NOTICE_NUMBER_PATTERN = /^[0123][0-9]{17}$/;
/** Full ISO-8601 timestamp in UTC: 2018-10-13T00:00:00.000Z */
export const UTC_ISO_TIMESTAMP_PATTERN = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

export const FEATURE_LEVEL_TYPES = ['STANDARD', 'ADVANCED'] as const;
export type FeatureLevelType = (typeof FEATURE_LEVEL_TYPES)[number];

export const MESSAGE_STATUSES = ['ACCEPTED', 'THROTTLED', 'FAILED', 'PROCESSED', 'REJECTED'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const PersonFiscalCodeSchema = z
  .string()
  .regex(PERSON_FISCAL_CODE_PATTERN, 'must be a person fiscal code (16 characters, upper case)');

export const OrganizationFiscalCodeSchema = z
  .string()
  .regex(ORGANIZATION_FISCAL_CODE_PATTERN, 'must be an organization fiscal code (11 digits)');

export const UtcTimestampSchema = z
  .string()
  .regex(UTC_ISO_TIMESTAMP_PATTERN, 'must be an ISO-8601 UTC timestamp such as 2018-10-13T00:00:00.000Z')
  .refine((s) => isRealUtcTimestamp(s), 'must be a real calendar date and time');

export const PayeeSchema = z.object({
  fiscal_code: OrganizationFiscalCodeSchema,
});

export const PaymentDataSchema = z.object({
  amount: z
    .number()
    .int('must be an integer number of euro cents')
    .min(IO_LIMITS.amount.min, `must be at least ${IO_LIMITS.amount.min} cent`)
    .max(IO_LIMITS.amount.max, `must be at most ${IO_LIMITS.amount.max} cents`),
  notice_number: z.string().regex(IO_NOTICE_NUMBER_PATTERN, 'must match ^[0123][0-9]{17}$'),
  invalid_after_due_date: z.boolean().optional(),
  payee: PayeeSchema.optional(),
});

export const MessageContentSchema = z.object({
  subject: z
    .string()
    .min(IO_LIMITS.subject.min, `must be at least ${IO_LIMITS.subject.min} characters`)
    .max(IO_LIMITS.subject.max, `must be at most ${IO_LIMITS.subject.max} characters`),
  markdown: z
    .string()
    .min(IO_LIMITS.markdown.min, `must be at least ${IO_LIMITS.markdown.min} characters`)
    .max(IO_LIMITS.markdown.max, `must be at most ${IO_LIMITS.markdown.max} characters`),
  due_date: UtcTimestampSchema.optional(),
  payment_data: PaymentDataSchema.optional(),
  require_secure_channels: z.boolean().optional(),
});

export const NewMessageSchema = z.object({
  fiscal_code: PersonFiscalCodeSchema,
  time_to_live: z
    .number()
    .int('must be an integer number of seconds')
    .min(IO_LIMITS.timeToLive.min, `must be at least ${IO_LIMITS.timeToLive.min} seconds`)
    .max(IO_LIMITS.timeToLive.max, `must be at most ${IO_LIMITS.timeToLive.max} seconds`)
    .optional(),
  content: MessageContentSchema,
  feature_level_type: z.enum(FEATURE_LEVEL_TYPES).optional(),
});

export type Payee = z.infer<typeof PayeeSchema>;
export type PaymentData = z.infer<typeof PaymentDataSchema>;
export type MessageContent = z.infer<typeof MessageContentSchema>;
export type NewMessage = z.infer<typeof NewMessageSchema>;

/** `POST /profiles` body (FiscalCodePayload). */
export const FiscalCodePayloadSchema = z.object({ fiscal_code: PersonFiscalCodeSchema });

/** `200` of `POST /profiles` and `GET /profiles/{fiscal_code}`. */
export const LimitedProfileSchema = z.object({
  sender_allowed: z.boolean(),
  preferred_languages: z.array(z.string()).optional(),
});
export type LimitedProfile = z.infer<typeof LimitedProfileSchema>;

/** `201` of `POST /messages`. */
export const CreatedMessageSchema = z.object({ id: z.string().min(1) });
export type CreatedMessage = z.infer<typeof CreatedMessageSchema>;

/** RFC 7807 problem, as IO returns it on 400/404/500 (every member optional in IO's definition). */
export const ProblemJsonSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int().optional(),
  detail: z.string().optional(),
  instance: z.string().optional(),
});
export type ProblemJson = z.infer<typeof ProblemJsonSchema>;

export interface MessageFieldIssue {
  /** dotted path of the offending field, e.g. `content.payment_data.notice_number` ('' = the body) */
  readonly field: string;
  readonly message: string;
}

export type NewMessageValidation =
  | { readonly ok: true; readonly value: NewMessage }
  | { readonly ok: false; readonly issues: readonly MessageFieldIssue[] };

/** Validates a message body the way IO does; on failure, names every offending field. */
export function validateNewMessage(msg: unknown): NewMessageValidation {
  const result = NewMessageSchema.safeParse(msg);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toFieldIssues(result.error) };
}

/** The same, for the body of `POST /profiles`. */
export function validateFiscalCodePayload(
  body: unknown,
): { ok: true; value: { fiscal_code: string } } | { ok: false; issues: readonly MessageFieldIssue[] } {
  const result = FiscalCodePayloadSchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toFieldIssues(result.error) };
}

export function isPersonFiscalCode(value: string): boolean {
  return PERSON_FISCAL_CODE_PATTERN.test(value);
}

/** "content.subject: must be at least 10 characters; fiscal_code: Required" (values never echoed). */
export function describeIssues(issues: readonly MessageFieldIssue[]): string {
  return issues.map((i) => `${i.field === '' ? '(body)' : i.field}: ${i.message}`).join('; ');
}

/** Masks anything shaped like a person fiscal code in free text (e.g. a problem's detail). */
export function redactFiscalCodes(text: string): string {
  return text.replace(
    /[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]/gi,
    (fc) => `${fc.slice(0, 3)}***********${fc.slice(-2)}`,
  );
}

export interface PaymentMessageInput {
  readonly fiscalCode: string;
  /** from renderMessage (./templates.ts) */
  readonly subject: string;
  readonly markdown: string;
  readonly amountCents: number;
  readonly noticeNumber: string;
  /** the creditor's 11-digit fiscal code */
  readonly payeeFiscalCode: string;
  /** ISO-8601 UTC */
  readonly dueDate?: string;
  /** the app shows the notice as expired after the due date */
  readonly invalidAfterDueDate?: boolean;
  readonly timeToLiveSeconds?: number;
  readonly featureLevelType?: FeatureLevelType;
}

/** The NewMessage of a payment notice, checked against IO's rules before anything is sent. */
export function buildPaymentMessage(input: PaymentMessageInput): NewMessageValidation {
  return validateNewMessage({
    fiscal_code: input.fiscalCode,
    time_to_live: input.timeToLiveSeconds ?? IO_LIMITS.timeToLive.default,
    content: {
      subject: input.subject,
      markdown: input.markdown,
      ...(input.dueDate === undefined ? {} : { due_date: input.dueDate }),
      payment_data: {
        amount: input.amountCents,
        notice_number: input.noticeNumber,
        invalid_after_due_date: input.invalidAfterDueDate ?? false,
        payee: { fiscal_code: input.payeeFiscalCode },
      },
    },
    feature_level_type: input.featureLevelType ?? 'STANDARD',
  });
}

function toFieldIssues(error: z.ZodError): MessageFieldIssue[] {
  const issues: MessageFieldIssue[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.');
    const message =
      issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is required' : issue.message;
    // one line per field is enough for a ProblemJson and for a log line
    if (!issues.some((i) => i.field === field)) issues.push({ field, message });
  }
  return issues;
}

function isRealUtcTimestamp(s: string): boolean {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return false;
  // Date accepts 2024-02-30 by rolling over; compare the calendar part back
  return d.toISOString().slice(0, 19) === s.slice(0, 19);
}
